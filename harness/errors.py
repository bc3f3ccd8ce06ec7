"""Errors the harness reports to users. Each carries a message fit to print as it is."""

from __future__ import annotations


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
