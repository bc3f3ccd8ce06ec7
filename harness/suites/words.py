"""Finding a target word in its text: as a whole word, case-insensitively, the N-th occurrence
when it occurs more than once. Suites, the WordNet reader, the reference sample and the
conformance kit all locate words here."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD_CHAR = re.compile(r"\w")


def _whole_word_spans(text: str, word: str) -> list[tuple[int, int]]:
    r"""Where `word` occurs in `text` as a whole word, case-insensitively: as the regex
    (?<!\w)WORD(?!\w) with IGNORECASE finds it. ASCII text (nearly every suite) is searched
    without compiling a regex per word, which a large suite would pay hundreds of thousands of
    times."""
    if not (text.isascii() and word.isascii()):
        return [m.span() for m in _word_pattern(word).finditer(text)]
    haystack, needle = text.lower(), word.lower()
    spans, start = [], haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        if not ((start and _WORD_CHAR.match(text, start - 1))
                or (end < len(text) and _WORD_CHAR.match(text, end))):
            spans.append((start, end))
        start = haystack.find(needle, end if spans and spans[-1][0] == start else start + 1)
    return spans


@lru_cache(maxsize=1024)
def _word_pattern(word: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)


def locate_word(text: str, word: str, occurrence: int | None = None) -> tuple[int, int]:
    """The span of `word` in `text`, matched as a whole word, case-insensitively.

    Raises ValueError with a message that says how to fix the context."""
    if not word or not word.strip():
        raise ValueError("the word is empty")
    spans = _whole_word_spans(text, word)
    if not spans:
        inside = re.search(re.escape(word), text, re.IGNORECASE)
        hint = (
            f" (it occurs inside a longer word at offset {inside.start()}: give "
            f"span: [{inside.start()}, {inside.end()}] instead of word to use that part)"
            if inside
            else ""
        )
        raise ValueError(f"{word!r} does not occur as a whole word in {text!r}{hint}")
    if occurrence is None:
        if len(spans) > 1:
            raise ValueError(
                f"{word!r} occurs {len(spans)} times in {text!r}; add occurrence: N "
                f"(1 to {len(spans)}) to pick one"
            )
        return spans[0]
    if not 1 <= occurrence <= len(spans):
        raise ValueError(
            f"occurrence {occurrence} asked, but {word!r} occurs {len(spans)} time(s) in {text!r}"
        )
    return spans[occurrence - 1]
