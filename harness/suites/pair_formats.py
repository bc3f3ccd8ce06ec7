"""Readers of the graded-similarity data sets people cite, each into pairs of sides (a side: a
word alone `{word}`, a marked word in its text `{text, span}`, or a sentence `{text}`) with the
human rating. Every problem is a HarnessError naming the file and line.

- wordsim353: gensim's `wordsim353.tsv` (three columns, `#` comments) or the original
  `combined.csv` / `combined.tab` (a header line); two words.
- simlex999: gensim's `simlex999.txt`, or the original `SimLex-999.txt` (ten columns with a
  header; the rating is `SimLex999`); two words.
- men: `MEN_dataset_natural_form_full` (`sun sunlight 50.0`) or the lemma form
  (`sun-n sunlight-n 50.0`); two words.
- scws: SCWS `ratings.txt` (id, word1, POS, word2, POS, context1, context2, mean rating, ten
  ratings; each target marked `<b>...</b>`); two words in their contexts.
- cosimlex: CoSimLex's tsv (a header naming word1, word2, context1, context2, sim1, sim2; both
  words marked `<strong>...</strong>` in each context); the two words in context 1, and in
  context 2.
- usim: Usim as MirrorWiC's `usim_en.txt` (sentence, target token index from 0, rating; two
  lines per pair); a word in two sentences.
- stsb: STS-B's `sts-{train,dev,test}.csv` (genre, file, year, id, score, sentence1, sentence2;
  tab-separated); two sentences.
- sick: SICK's `SICK.txt` (a header naming sentence_A, sentence_B, relatedness_score); two
  sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.suites.graded import MIN_PAIRS

Side = dict[str, Any]


@dataclass(frozen=True)
class RawPair:
    a: Side
    b: Side
    score: float
    line: int


@dataclass(frozen=True)
class PairFormat:
    name: str
    read: Callable[[Path], list[RawPair]]
    scale: tuple[float, float] | None
    description: str
    datasets: tuple[str, ...] = ()  # what a suite built from it records (schema 3 datasets:)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a text file, without the line ends; blank ones left out."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot read it ({exc})") from None
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield number, line.rstrip("\r\n")


def _score(path: Path, number: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise HarnessError(f"{path}:{number}: the rating {text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise HarnessError(f"{path}:{number}: the rating {text!r} is not finite")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fields(path: Path, number: int, line: str, at_least: int, what: str,
            separator: str | None = "\t") -> list[str]:
    fields = line.split(separator) if separator else line.split()
    if len(fields) < at_least:
        raise HarnessError(f"{path}:{number}: expected {what} ({at_least} fields), found "
                           f"{len(fields)}; is this the right --format?")
    return [f.strip() for f in fields]


def _header(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A tab-separated file with a header: its column names and its rows (QUOTE_NONE: quotes
    in sentences are text)."""
    rows = [(n, line.split("\t")) for n, line in _lines(path)]
    if not rows:
        raise HarnessError(f"{path}: the file is empty")
    return [c.strip() for c in rows[0][1]], rows[1:]


def _column(path: Path, header: list[str], *names: str) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise HarnessError(f"{path}:1: the header has no column {names[0]!r} (it has "
                       f"{', '.join(header)}); is this the right --format?")


def _words(path: Path, rows: Iterator[tuple[int, str, str, str]]) -> list[RawPair]:
    pairs = []
    for n, a, b, score in rows:
        for word in (a, b):
            if not word or len(word.split()) > 1:
                raise HarnessError(f"{path}:{n}: {word!r} is not one word; is this the right "
                                   "--format?")
        pairs.append(RawPair({"word": a}, {"word": b}, _score(path, n, score), n))
    return pairs


# -- words alone -------------------------------------------------------------------------------


def read_word_pairs(path: Path, score_column: str | None = None) -> list[RawPair]:
    """Three columns (word, word, rating; tab- or comma-separated, `#` comments), or a header
    line naming the rating column `score_column` among others."""
    lines = [(n, line) for n, line in _lines(path) if not line.lstrip().startswith("#")]
    if not lines:
        raise HarnessError(f"{path}: no pairs in the file")
    separator = "\t" if "\t" in lines[0][1] else "," if "," in lines[0][1] else None
    first = _fields(path, *lines[0], 3, "word, word, rating", separator)
    body, rating = lines, 2
    if score_column in first:  # the original file's header names the rating's column
        body, rating = lines[1:], first.index(score_column)
    elif first[0].lower().startswith("word") and not _is_number(first[2]):
        if score_column and len(first) > 3:  # SimLex's header, without its rating column
            _column(path, first, score_column)
        body = lines[1:]  # a header such as "Word 1,Word 2,Human (mean)"
    return _words(path, ((n, f[0], f[1], f[rating]) for n, line in body
                         for f in [_fields(path, n, line, rating + 1, "word, word, rating",
                                           separator)]))


def read_simlex(path: Path) -> list[RawPair]:
    return read_word_pairs(path, score_column="SimLex999")


_POS_SUFFIX = re.compile(r"-[nvjar]$")


def read_men(path: Path) -> list[RawPair]:
    """`word word rating`, space-separated; the lemma form's -n, -v, -j suffixes dropped."""
    return _words(path, ((n, _POS_SUFFIX.sub("", f[0]), _POS_SUFFIX.sub("", f[1]), f[2])
                         for n, line in _lines(path)
                         for f in [_fields(path, n, line, 3, "word, word, rating", None)]))


# -- words in context --------------------------------------------------------------------------


def marked(text: str, opening: str, closing: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` without its marks (runs of whitespace made one space, spaces inside a mark
    dropped), and the span of each marked stretch."""
    flat = " ".join(text.replace(opening, "\x01").replace(closing, "\x02").split())
    flat = flat.replace("\x01 ", "\x01").replace(" \x02", "\x02")
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    start = None
    for char in flat:
        if char == "\x01":
            start = len(out)
        elif char == "\x02" and start is not None:
            spans.append((start, len(out)))
            start = None
        elif char not in "\x01\x02":
            out.append(char)
    return "".join(out), spans


def _context(path: Path, number: int, text: str, opening: str, closing: str,
             count: int) -> tuple[str, list[tuple[int, int]]]:
    clean, spans = marked(text, opening, closing)
    if len(spans) != count or any(s >= e for s, e in spans):
        raise HarnessError(f"{path}:{number}: expected {count} word(s) marked "
                           f"{opening}...{closing} in {text[:80]!r}, found {len(spans)}")
    return clean, spans


def read_scws(path: Path) -> list[RawPair]:
    out = []
    for n, line in _lines(path):
        f = _fields(path, n, line, 8, "id, word1, POS, word2, POS, context1, context2, rating")
        sides = []
        for context in (f[5], f[6]):
            text, [span] = _context(path, n, context, "<b>", "</b>", 1)
            sides.append({"text": text, "span": list(span)})
        out.append(RawPair(sides[0], sides[1], _score(path, n, f[7]), n))
    return out


def read_cosimlex(path: Path) -> list[RawPair]:
    header, rows = _header(path)
    columns = {name: _column(path, header, name)
               for name in ("word1", "word2", "context1", "context2", "sim1", "sim2")}
    out = []
    for n, f in rows:
        if len(f) <= max(columns.values()):
            raise HarnessError(f"{path}:{n}: {len(f)} fields; the header names {len(header)}")
        for which in ("1", "2"):
            text, spans = _context(path, n, f[columns["context" + which]], "<strong>",
                                   "</strong>", 2)
            first, second = _order(text, spans, f[columns["word1"]].strip())
            out.append(RawPair({"text": text, "span": list(first)},
                               {"text": text, "span": list(second)},
                               _score(path, n, f[columns["sim" + which]]), n))
    return out


def _order(text: str, spans: list[tuple[int, int]],
           word1: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The marked span of word1 first (by its first letters), then the other."""
    a, b = spans
    stem = word1.lower()[:4]
    if not text[a[0]:a[1]].lower().startswith(stem) and text[b[0]:b[1]].lower().startswith(
            stem):
        return b, a
    return a, b


def read_usim(path: Path) -> list[RawPair]:
    lines = list(_lines(path))
    if len(lines) % 2:
        raise HarnessError(f"{path}: {len(lines)} lines; Usim has two lines (the two usages) "
                           "per pair")
    out = []
    for (n1, first), (n2, second) in zip(lines[::2], lines[1::2]):
        sides, ratings = [], []
        for n, line in ((n1, first), (n2, second)):
            sentence, index, rating = _fields(path, n, line, 3, "sentence, index, rating")[:3]
            tokens = sentence.split()
            if not index.isdigit() or int(index) >= len(tokens):
                raise HarnessError(f"{path}:{n}: token {index!r} is not in the sentence "
                                   f"({len(tokens)} tokens, from 0)")
            text = " ".join(tokens)
            start = len(" ".join(tokens[:int(index)])) + (1 if int(index) else 0)
            sides.append({"text": text, "span": [start, start + len(tokens[int(index)])]})
            ratings.append(_score(path, n, rating))
        if ratings[0] != ratings[1]:
            raise HarnessError(f"{path}:{n2}: the two lines of a pair have ratings "
                               f"{ratings[0]:g} and {ratings[1]:g}; they must be one")
        out.append(RawPair(sides[0], sides[1], ratings[0], n1))
    return out


# -- sentences ---------------------------------------------------------------------------------


def read_stsb(path: Path) -> list[RawPair]:
    out = []
    for n, line in _lines(path):
        f = _fields(path, n, line, 7, "genre, file, year, id, score, sentence1, sentence2")
        out.append(RawPair({"text": f[5]}, {"text": f[6]}, _score(path, n, f[4]), n))
    return out


def read_sick(path: Path) -> list[RawPair]:
    header, rows = _header(path)
    a, b, score = (_column(path, header, name) for name in
                   ("sentence_A", "sentence_B", "relatedness_score"))
    out = []
    for n, f in rows:
        if len(f) <= max(a, b, score):
            raise HarnessError(f"{path}:{n}: {len(f)} fields; the header names {len(header)}")
        out.append(RawPair({"text": f[a].strip()}, {"text": f[b].strip()},
                           _score(path, n, f[score]), n))
    return out


FORMATS = {f.name: f for f in (
    PairFormat("wordsim353", read_word_pairs, (0, 10), "WordSim-353 (Finkelstein et al. 2002)",
               ("WordSim353",)),
    PairFormat("simlex999", read_simlex, (0, 10), "SimLex-999 (Hill et al. 2015)",
               ("SimLex-999",)),
    PairFormat("men", read_men, (0, 50), "MEN (Bruni et al. 2014)", ("MEN",)),
    PairFormat("scws", read_scws, (0, 10), "SCWS (Huang et al. 2012)", ("SCWS",)),
    PairFormat("cosimlex", read_cosimlex, None, "CoSimLex (Armendariz et al. 2020)",
               ("CoSimLex",)),
    PairFormat("usim", read_usim, (1, 5), "Usim (Erk et al. 2009)", ("Usim",)),
    PairFormat("stsb", read_stsb, (0, 5), "STS-B (Cer et al. 2017)",
               ("STS-B", "stsbenchmark-sts")),
    PairFormat("sick", read_sick, (1, 5), "SICK relatedness (Marelli et al. 2014)",
               ("SICK", "sickr-sts")),
)}


def read_pairs(path: str | Path, format: str) -> list[RawPair]:
    """The pairs of a file in one of FORMATS."""
    if format not in FORMATS:
        raise HarnessError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    kind = FORMATS[format]
    pairs = kind.read(Path(path))
    for pair in pairs if kind.scale else ():
        low, high = kind.scale
        if not low <= pair.score <= high:
            raise HarnessError(f"{path}:{pair.line}: the rating {pair.score:g} is outside "
                               f"{kind.description}'s scale [{low:g}, {high:g}]; is this the "
                               "right --format?")
    if not pairs:
        raise HarnessError(f"{path}: no pairs in the file")
    if len(pairs) < MIN_PAIRS:
        raise HarnessError(f"{path}: {len(pairs)} pairs; a graded test needs at least "
                           f"{MIN_PAIRS}")
    return pairs
