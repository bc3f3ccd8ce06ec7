"""Finding a target word in its text: as a whole word, case-insensitively, the N-th occurrence
when it occurs more than once, after Unicode normalisation (a word typed in NFD is found in a
text in NFC, and the reverse; the span is always into the text as given). Suites, the WordNet
reader, the reference sample and the conformance kit all locate words here."""

from __future__ import annotations

import numbers
import re
import unicodedata
from collections.abc import Callable
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


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _folded(text: str) -> str:
    """Compatibility forms (width, ligatures) and case folded away."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _is_boundary(text: str, i: int) -> bool:
    """Whether normalisation never joins text[i] to what comes before it: a starter that does
    not compose with the character before it (nor a Hangul vowel or final consonant)."""
    if i in (0, len(text)):
        return True
    before, c = text[i - 1], text[i]
    return (unicodedata.combining(c) == 0 and not "\u1160" <= c <= "\u11ff"
            and _nfc(before + c) == _nfc(before) + _nfc(c))


def _mapped(text: str, form: Callable[[str], str]) -> tuple[str, list[int]]:
    """`text` in `form`, cluster by cluster, and for each offset of it the offset in `text` it
    comes from (-1 inside a cluster's normalised characters)."""
    cuts = [i for i in range(len(text) + 1) if _is_boundary(text, i)]
    parts, where = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        piece = form(text[a:b])
        parts.append(piece)
        where += ([a] + [-1] * (len(piece) - 1)) if piece else []
    return "".join(parts), where + [len(text)]


def _spans_in(text: str, word: str, form: Callable[[str], str],
              search: Callable[[str, str], list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """`search` run on `text` and `word` in `form`, spans given back in `text`'s offsets (a
    match that starts or ends inside a character cluster is none)."""
    normal, where = _mapped(text, form)
    spans = [(where[a], where[b]) for a, b in search(normal, form(word))]
    return [(a, b) for a, b in spans if a >= 0 and b >= 0]


def find_whole_word(text: str, word: str) -> list[tuple[int, int]]:
    """Whole-word spans of `word` in `text`, both taken in NFC."""
    if (text.isascii() and word.isascii()) or (unicodedata.is_normalized("NFC", text)
                                               and unicodedata.is_normalized("NFC", word)):
        return _whole_word_spans(text, word)
    return _spans_in(text, word, _nfc, _whole_word_spans)


def _inside(text: str, word: str) -> list[tuple[int, int]]:
    """Spans of `word` anywhere in `text`, case-insensitively."""
    return [m.span() for m in re.finditer(re.escape(word), text, re.IGNORECASE)]


def _not_found(text: str, word: str) -> str:
    """Why `word` is not a whole word of `text`, with the fix."""
    message = f"{word!r} does not occur as a whole word in {text!r}"
    inside = _spans_in(text, word, _nfc, _inside)
    if inside:
        start, end = inside[0]
        return (f"{message} (it occurs inside a longer word at offset {start}: give "
                f"span: [{start}, {end}] instead of word to use that part)")
    near = _spans_in(text, word, _folded, _whole_word_spans)
    if near:
        start, end = near[0]
        return (f"{message}; {text[start:end]!r} (characters {start}-{end}) differs from it only "
                "by Unicode normalisation, width or case folding: write the word as the text "
                f"has it, or give span: [{start}, {end}]")
    return message


def check_occurrence(occurrence: object) -> int | None:
    """`occurrence` as an int (None: not given); a ValueError unless it is a whole number
    from 1 (a bool, a float or a string is none)."""
    if occurrence is None:
        return None
    if (not isinstance(occurrence, numbers.Integral) or isinstance(occurrence, bool)
            or occurrence < 1):
        raise ValueError(f"occurrence must be a whole number from 1 (an int: which occurrence "
                         f"of the word to take); got {occurrence!r}")
    return int(occurrence)


def locate_word(text: str, word: str, occurrence: int | None = None) -> tuple[int, int]:
    """The span of `word` in `text`, matched as a whole word, case-insensitively, after NFC
    normalisation of both; offsets into `text` as given.

    Raises ValueError with a message that says how to fix the context."""
    occurrence = check_occurrence(occurrence)
    if not word or not word.strip():
        raise ValueError("the word is empty")
    spans = find_whole_word(text, word)
    if not spans:
        raise ValueError(_not_found(text, word))
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
