"""'Did you mean' hints for misspelled keys, labels, options and backend names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)', or '' when nothing is close."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""
