"""Errors the harness reports to users, each with a message fit to print as it is, and the
wording those messages share: 'did you mean' hints for misspelled keys, labels, options and
names, and counts of things ("1 regression", "2 regressions").

Every exception class of the harness is defined here."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sized
from typing import Any


class Terminated(KeyboardInterrupt):
    """SIGTERM (what CI systems send to cancel a job): the run stops as on Ctrl-C, keeping what
    finished."""


class HarnessError(Exception):
    """Bad input or usage: the CLI prints the message (no traceback) and exits with `exit_code`."""

    exit_code = 2


class SuiteError(HarnessError):
    """One or more problems in a suite file; `problems` lists them, each naming file and line."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        shown = problems[:20]
        extra = len(problems) - len(shown)
        more = f"\n  ... and {extra} more" if extra else ""
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"invalid suite {path} ({len(problems)} {noun}):\n  " + "\n  ".join(shown) + more
        )


class PluginError(HarnessError):
    """A plugin could not be loaded or registered something invalid (duplicates, bad hooks)."""


class BackendNotFound(HarnessError):
    """A backend name or inline spec names no known instance or plugin."""


class OptionError(HarnessError):
    """A backend option is unknown or has a bad value."""


class BackendUnavailable(HarnessError):
    """A backend cannot run here (a package or model is missing); the message says how to fix it."""


class BackendFailure(Exception):
    """A backend raised something that is not an Exception (SystemExit from a plugin's
    sys.exit, say); the message names it. See `harness.pipeline.boundary`."""


class GeometryFailed(HarnessError):
    """`harness geometry`: a backend failed; `rows` holds those of the backends that finished
    before it."""

    def __init__(self, message: str, rows: list[Any]):
        super().__init__(message)
        self.rows = rows


# -- 'did you mean' ----------------------------------------------------------------------------


def _osa_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells, or None."""
    choices = [str(c) for c in choices]
    word = str(word)
    distance = {c: _osa_distance(word.lower(), c.lower()) for c in choices}
    near = [c for c in choices if distance[c] <= max(1, (len(c) + 1) // 3)]
    if near:
        return min(near, key=distance.__getitem__)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def counted(n: int | Sized, noun: str, plural: str | None = None) -> str:
    """'1 test', '2 tests' (or `plural`); `n` a number or something with a length."""
    n = n if isinstance(n, int) else len(n)
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)', or '' when nothing is close."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""
