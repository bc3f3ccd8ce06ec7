"""Readers of the Word-in-Context variants, each into harness.suites.wic_format's WicPair (two
contexts with character spans, and the gold label), registered in FORMATS. Every problem is a
HarnessError naming the file and line (or the JSON path) and the fix. Spans are character
offsets throughout, so unspaced scripts (Chinese, Japanese) need no whitespace tokens.

- wic: WiC's own files (lemma, POS, i-j, sentence 1, sentence 2; gold T/F per line).
- wic-tsv: WiC-TSV (Breit et al. 2021): `target \\t index \\t context` (index: the target's
  whitespace token, from 0), with `definitions.txt` and `hypernyms.txt` (`*_examples.txt` ->
  `*_definitions.txt`, `*_hypernyms.txt`) one line per example, gold T/F per line. A pair is
  the target in its context against the sense's definition (and its hypernyms, "; "-joined),
  embedded as a whole sentence.
- xl-wic: XL-WiC (Raganato et al. 2020): `target \\t PoS \\t start1 \\t end1 \\t start2 \\t end2
  \\t example1 \\t example2 [\\t label]`, character offsets; the label (1/0, T/F) inline or in a
  gold file.
- mcl-wic: MCL-WiC (SemEval-2021 task 2): a JSON list of {id, lemma, pos, sentence1,
  sentence2, start1, end1, start2, end2} (or ranges1/ranges2 "s-e[,s-e]"), and a gold JSON
  list of {id, tag: "T"|"F"}, joined by id.
- am2ico: AM2iCo (Liu et al. 2021): `context1 \\t context2 \\t label` (an optional header), the
  target marked `<word>...</word>` in each context; label T/F or 1/0, inline or in a gold file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.backend import Item
from harness.errors import HarnessError
from harness.suites.wic_format import WicPair, _lines, read_wic

Reader = Callable[..., list[WicPair]]
_LABELS = {"T": True, "F": False, "1": True, "0": False, "TRUE": True, "FALSE": False}


@dataclass(frozen=True)
class WicFormat:
    name: str
    read: Reader  # (data: Path, gold: Path | None, **options) -> pairs
    description: str
    gold_required: bool = True


def _rows(path: Path) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(_lines(path), 1) if line.strip()]


def _label(path: Path, n: int, text: str) -> bool:
    if text.strip().upper() not in _LABELS:
        raise HarnessError(f"{path}:{n}: the label {text!r} is not T/F or 1/0")
    return _LABELS[text.strip().upper()]


def _any_labels(data: Path, gold: Path | None, count: int) -> list[bool | None]:
    """Labels of a gold file of T/F or 1/0 lines (XL-WiC's test gold files hold 1/0)."""
    if gold is None:
        return [None] * count
    marks = _rows(gold)
    if len(marks) != count:
        raise HarnessError(f"{gold}: {len(marks)} labels for the {count} pairs of {data}; "
                           "give the gold file that goes with this data file")
    return [_label(gold, n, mark) for n, mark in marks]


def _span(path: Path, where: str, text: str, start: Any, end: Any) -> tuple[int, int]:
    try:
        s, e = int(start), int(end)
    except (TypeError, ValueError):
        raise HarnessError(f"{path}:{where}: the offsets {start!r}, {end!r} are not whole "
                           "numbers; give character offsets (start inclusive, end "
                           "exclusive)") from None
    if not 0 <= s < e <= len(text):
        raise HarnessError(f"{path}:{where}: the span [{s}, {e}) is not inside its "
                           f"{len(text)}-character sentence; give character offsets, start "
                           "inclusive, end exclusive")
    return s, e


def read_wic_tsv(data: Path, gold: Path | None, **_: Any) -> list[WicPair]:
    """WiC-TSV: each target in its context against its sense's definition and hypernyms."""
    from harness.suites.wic_format import token_span

    rows = _rows(data)
    extra = {}
    for kind in ("definitions", "hypernyms"):
        name = (data.name.replace("examples", kind) if "examples" in data.name
                else f"{kind}.txt")
        path = data.with_name(name)
        if not path.is_file():
            if kind == "hypernyms":
                extra[kind] = [""] * len(rows)
                continue
            raise HarnessError(f"{data}: no {path} beside it: WiC-TSV needs the definitions, "
                               "one line per example, named like the data file with "
                               "'examples' -> 'definitions' (or definitions.txt)")
        lines = _lines(path)
        if len([x for x in lines if x.strip()]) != len(rows):
            raise HarnessError(f"{path}: {len([x for x in lines if x.strip()])} lines for the "
                               f"{len(rows)} examples of {data}; one line per example")
        extra[kind] = [x.strip() for x in lines if x.strip()]
    labels = _any_labels(data, gold, len(rows))
    pairs = []
    for k, (n, row) in enumerate(rows):
        fields = row.split("\t")
        if len(fields) != 3:
            raise HarnessError(f"{data}:{n}: expected 3 tab-separated fields (target, index, "
                               f"context), found {len(fields)}")
        target, index, context = fields
        if not index.strip().isdigit():
            raise HarnessError(f"{data}:{n}: the index {index!r} is not a whole number (the "
                               "target's whitespace token, from 0)")
        span = token_span(context, int(index))
        if span is None:
            raise HarnessError(f"{data}:{n}: token {index} is not in the context (indices "
                               "count whitespace tokens from 0)")
        hypernyms = [h.replace("_", " ") for h in extra["hypernyms"][k].split("\t") if h]
        sense = extra["definitions"][k] + ("; " + ", ".join(hypernyms) if hypernyms else "")
        pairs.append(WicPair(target, "", Item(context, span), Item(sense), labels[k], str(n)))
    return pairs


def read_xl_wic(data: Path, gold: Path | None, **_: Any) -> list[WicPair]:
    """XL-WiC: WiC's pairs with character offsets, the label inline or in a gold file."""
    rows = _rows(data)
    labels = _any_labels(data, gold, len(rows))
    pairs = []
    for k, (n, row) in enumerate(rows):
        fields = row.split("\t")
        if len(fields) not in (8, 9):
            raise HarnessError(f"{data}:{n}: expected 8 or 9 tab-separated fields (target, "
                               "PoS, start1, end1, start2, end2, example1, example2[, label]), "
                               f"found {len(fields)}")
        target, pos, s1, e1, s2, e2, first, second = fields[:8]
        label = labels[k]
        if len(fields) == 9:
            label = _label(data, n, fields[8]) if gold is None else label
        elif gold is None:
            raise HarnessError(f"{data}:{n}: no label: give the gold file as GOLD")
        a = Item(first, _span(data, str(n), first, s1, e1))
        b = Item(second, _span(data, str(n), second, s2, e2))
        pairs.append(WicPair(target, pos, a, b, label, str(n)))
    return pairs


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}:{exc.lineno}: not JSON ({exc.msg}); MCL-WiC files are a "
                           "JSON list of objects") from None


def _mcl_span(path: Path, k: int, entry: dict, side: str) -> tuple[int, int]:
    text = entry[f"sentence{side}"]
    if f"start{side}" in entry or f"end{side}" in entry:
        for key in (f"start{side}", f"end{side}"):
            if key not in entry:
                raise HarnessError(f"{path}: [{k}].{key} is missing; give start{side} and "
                                   f"end{side} (character offsets)")
        return _span(path, f" [{k}].start{side}", text, entry[f"start{side}"],
                     entry[f"end{side}"])
    ranges = entry.get(f"ranges{side}")
    if not isinstance(ranges, str) or not re.fullmatch(r"\d+-\d+(,\d+-\d+)*", ranges):
        raise HarnessError(f"{path}: [{k}].ranges{side} is {ranges!r}: give start{side}/"
                           f"end{side} or ranges{side} like \"3-7\" (or \"3-7,12-15\")")
    bounds = [tuple(int(x) for x in r.split("-")) for r in ranges.split(",")]
    start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    return _span(path, f" [{k}].ranges{side}", text, start, end)


def read_mcl_wic(data: Path, gold: Path | None, **_: Any) -> list[WicPair]:
    """MCL-WiC: the JSON data and gold files, joined by id."""
    entries = _json(data)
    if not isinstance(entries, list):
        raise HarnessError(f"{data}: the top level is not a list; MCL-WiC data files are a "
                           "JSON list of objects")
    tags: dict[str, bool] = {}
    if gold is not None:
        marks = _json(gold)
        if not isinstance(marks, list):
            raise HarnessError(f"{gold}: the top level is not a list of {{id, tag}} objects")
        for k, mark in enumerate(marks):
            if not isinstance(mark, dict) or "id" not in mark:
                raise HarnessError(f"{gold}: [{k}].id is missing; each entry is {{\"id\": ..., "
                                   "\"tag\": \"T\" or \"F\"}")
            if mark.get("tag") not in ("T", "F"):
                raise HarnessError(f"{gold}: [{k}].tag is {mark.get('tag')!r}; use \"T\" or "
                                   "\"F\"")
            tags[str(mark["id"])] = mark["tag"] == "T"
    pairs, seen = [], set()
    for k, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise HarnessError(f"{data}: [{k}] is not an object")
        for key in ("id", "lemma", "sentence1", "sentence2"):
            if not isinstance(entry.get(key), str):
                raise HarnessError(f"{data}: [{k}].{key} is missing or not a string; each "
                                   "entry needs id, lemma, sentence1, sentence2 and the spans")
        pair_id = entry["id"]
        if pair_id in seen:
            raise HarnessError(f"{data}: [{k}].id {pair_id!r} repeats an earlier id; ids "
                               "must be unique")
        seen.add(pair_id)
        if gold is not None and pair_id not in tags:
            raise HarnessError(f"{gold}: no tag for id {pair_id!r} ({data} [{k}].id); give the "
                               "gold file that goes with this data file")
        a = Item(entry["sentence1"], _mcl_span(data, k, entry, "1"))
        b = Item(entry["sentence2"], _mcl_span(data, k, entry, "2"))
        pairs.append(WicPair(entry["lemma"], str(entry.get("pos", "")), a, b,
                             tags.get(pair_id), pair_id))
    if gold is not None and len(tags) != len(pairs):
        extra = sorted(set(tags) - seen)[:3]
        raise HarnessError(f"{gold}: tags for ids not in {data} ({', '.join(extra)}); give the "
                           "gold file that goes with this data file")
    return pairs


_WORD = re.compile(r"<word>(.*?)</word>", re.DOTALL)


def _marked(path: Path, n: int, which: str, text: str) -> Item:
    found = list(_WORD.finditer(text))
    if len(found) != 1:
        raise HarnessError(f"{path}:{n}: context {which} has {len(found)} <word>...</word> "
                           "targets; mark exactly one")
    m = found[0]
    clean = text[: m.start()] + m.group(1) + text[m.end():]
    if not m.group(1).strip():
        raise HarnessError(f"{path}:{n}: context {which}'s <word></word> is empty")
    return Item(clean, (m.start(), m.start() + len(m.group(1))))


def read_am2ico(data: Path, gold: Path | None, **_: Any) -> list[WicPair]:
    """AM2iCo: two contexts (two languages) with the target marked `<word>...</word>`."""
    rows = _rows(data)
    if rows and rows[0][1].lower().startswith("context1"):
        rows = rows[1:]
    labels = _any_labels(data, gold, len(rows))
    pairs = []
    for k, (n, row) in enumerate(rows):
        fields = row.split("\t")
        if len(fields) not in (2, 3):
            raise HarnessError(f"{data}:{n}: expected 3 tab-separated fields (context1, "
                               f"context2, label), found {len(fields)}")
        label = labels[k]
        if len(fields) == 3 and gold is None:
            label = _label(data, n, fields[2])
        elif len(fields) == 2 and gold is None:
            raise HarnessError(f"{data}:{n}: no label: give the gold file as GOLD")
        a, b = _marked(data, n, "1", fields[0]), _marked(data, n, "2", fields[1])
        pairs.append(WicPair(a.word or "", "", a, b, label, str(n)))
    return pairs


def _read_wic(data: Path, gold: Path | None, **options: Any) -> list[WicPair]:
    return read_wic(data, gold, **options)


FORMATS = {f.name: f for f in (
    WicFormat("wic", _read_wic, "WiC (Pilehvar and Camacho-Collados 2019)"),
    WicFormat("wic-tsv", read_wic_tsv, "WiC-TSV (Breit et al. 2021)"),
    WicFormat("xl-wic", read_xl_wic, "XL-WiC (Raganato et al. 2020)", gold_required=False),
    WicFormat("mcl-wic", read_mcl_wic, "MCL-WiC (Martelli et al. 2021)"),
    WicFormat("am2ico", read_am2ico, "AM2iCo (Liu et al. 2021)", gold_required=False),
)}


def read_pairs(data: str | Path, gold: str | Path | None, format: str = "wic",
               **options: Any) -> list[WicPair]:
    """The pairs of a data file in one of FORMATS, labelled (from `gold` or inline); `options`
    (lenient, warn) go to the WiC reader's lemma check."""
    if format not in FORMATS:
        raise HarnessError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    kind = FORMATS[format]
    if gold is None and kind.gold_required:
        raise HarnessError(f"{data}: {kind.description} keeps its labels in a gold file: "
                           "give it as GOLD")
    pairs = kind.read(Path(data), Path(gold) if gold is not None else None, **options)
    if not pairs:
        raise HarnessError(f"{data}: no pairs in the file; is this the right --format?")
    return pairs


__all__ = ["FORMATS", "WicFormat", "read_am2ico", "read_mcl_wic", "read_pairs",
           "read_wic_tsv", "read_xl_wic"]
