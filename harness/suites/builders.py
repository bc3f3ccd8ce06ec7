"""Suites built from real data: WordNet sense tests, Word-in-Context pairs, and graded tests
from the rating data sets of harness.suites.pair_formats, written as readable YAML (one line
per context or pair, strings JSON-quoted: a JSON string is a valid YAML double-quoted scalar).
The CLI's `make-suite` and the benchmarks both build suites here."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, SuiteError
from harness.files import atomic_write

log = logging.getLogger(__name__)

WORDNET_HEADER = ("WordNet 3.0 sense tests, built from WordNet's gloss examples. WordNet 3.0 "
                  "Copyright 2006 by Princeton University;\nused under the WordNet 3.0 license "
                  "(WORDNET-LICENSE beside this file).")


@dataclass(frozen=True)
class BuiltSuite:
    """A suite's YAML text, how many tests it holds, how many were possible, and from what."""

    name: str
    text: str
    tests: int
    possible: int
    source: str
    beside: dict[str, str] = field(default_factory=dict)  # files written next to it: licences

    def write(self, path: str | Path) -> Path:
        """Validate it, then write it atomically with the files it needs beside it (its
        data's licence). A suite that would not validate writes nothing: a file already at
        `path` stays as it was."""
        from harness.suites.validate import parse_suite
        from harness.suites.yaml import load_yaml_text

        path = Path(path)
        try:
            parse_suite(load_yaml_text(self.text, str(path)), str(path))
        except SuiteError as exc:
            raise SuiteError(str(path), [f"nothing written: the suite made from {self.source} "
                                         "would not be valid", *exc.problems]) from None
        atomic_write(path, self.text)
        for name, text in self.beside.items():
            atomic_write(path.parent / name, text)
        return path


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _context(ctx: Mapping[str, Any]) -> str:
    """A context as a YAML flow mapping: text, word (with occurrence) or span, or texts."""
    fields = [f"text: {_q(ctx['text'])}"] if ctx.get("text") is not None else []
    if ctx.get("word") is not None:
        fields.append(f"word: {_q(ctx['word'])}")
    if ctx.get("occurrence") is not None:
        fields.append(f"occurrence: {int(ctx['occurrence'])}")
    if ctx.get("span") is not None:
        fields.append(f"span: [{int(ctx['span'][0])}, {int(ctx['span'][1])}]")
    if ctx.get("texts") is not None:
        fields.append(f"texts: [{', '.join(_q(t) for t in ctx['texts'])}]")
    return f"{{{', '.join(fields)}}}"


def dump_suite(name: str, description: str, tests: Sequence[Mapping[str, Any]],
               header: str = "", schema: int = 1, datasets: Sequence[str] = ()) -> str:
    """`tests`: mappings with id, optional description, contexts (label -> {text, and word
    with occurrence, or span}) and expect (strings); or, graded (schema 3), optional scale
    and pairs ({a, b, score}, each side a label or a context). `datasets` (schema 3): what
    the suite is built from."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"schema: {schema}"] if schema != 1 else []
    lines += [f"suite: {_q(name)}", f"description: {_q(description)}"]
    lines += [f"datasets: [{', '.join(_q(d) for d in datasets)}]"] if datasets else []
    lines += ["tests:"]
    for test in tests:
        lines.append(f"  - id: {_q(test['id'])}")
        if test.get("description"):
            lines.append(f"    description: {_q(test['description'])}")
        if test.get("scale") is not None:
            lines.append(f"    scale: [{test['scale'][0]:g}, {test['scale'][1]:g}]")
        if test.get("contexts"):
            lines.append("    contexts:")
            lines += [f"      {label}: {_context(ctx)}" for label, ctx in test["contexts"].items()]
        if test.get("pairs"):
            lines.append("    pairs:")
            lines += [f"      - {{a: {_side(p['a'])}, b: {_side(p['b'])}, score: {p['score']!r}}}"
                      for p in test["pairs"]]
        else:
            lines.append("    expect:")
            lines += [f"      - {_q(e)}" for e in test["expect"]]
    return "\n".join(lines) + "\n"


def _side(side: str | Mapping[str, Any]) -> str:
    return _q(side) if isinstance(side, str) else _context(side)


def wordnet_suite(*, pos: str = "n,v,a,r", tests: int = 1000, seed: int = 0,
                  min_words: int = 4, allow_repeats: bool = False, name: str = "wordnet",
                  wordnet_dir: str | Path | None = None, output: str = "SUITE.yaml"
                  ) -> BuiltSuite:
    """For each lemma with two senses that have example sentences (in WordNet 3.0's glosses)
    containing the lemma or an inflection of it: a test "a1: a2 > b1" (two examples of one
    sense closer than an example of the other). Deterministic for a seed. `output` is only
    quoted in the suite's description, as part of the command that made it."""
    from harness.suites.wordnet import DATA_FILES, find_wordnet_dir, sense_suite_tests, sense_tests

    asked = {p.strip() for p in pos.split(",") if p.strip()}
    parts = [p for p in DATA_FILES if p in asked]  # one canonical order: n, v, a, r
    if asked - set(DATA_FILES) or not parts:
        raise HarnessError(f"--pos {pos}: use n, v, a, r (comma-separated)")
    if tests < 1 or min_words < 0:
        raise HarnessError("--tests must be at least 1 and --min-words at least 0")
    try:
        folder = find_wordnet_dir(wordnet_dir)
    except FileNotFoundError as exc:
        raise HarnessError(str(exc)) from None
    found = [t for p in parts for t in sense_tests(folder, p, 10**9, seed, min_words,
                                                    not allow_repeats)]
    random.Random(seed).shuffle(found)
    chosen = found[:tests]
    if not chosen:
        raise HarnessError("no WordNet lemma fits these options")
    command = " ".join(["harness make-suite wordnet", f"--pos {','.join(parts)}",
                        f"--tests {tests}", f"--seed {seed}", f"--min-words {min_words}",
                        *(["--allow-repeats"] if allow_repeats else []),
                        f"--name {name}", f"-o {output}"])
    description = (f"{len(chosen)} WordNet 3.0 sense tests (of {len(found)} possible): two "
                   "examples of one sense of a word closer than an example of another sense. "
                   f"Made by: {command}")
    text = dump_suite(name, description, sense_suite_tests(chosen), WORDNET_HEADER)
    return BuiltSuite(name, text, len(chosen), len(found), f"WordNet ({', '.join(parts)})",
                      {"WORDNET-LICENSE": wordnet_license(output)})


def wordnet_license(built: str) -> str:
    """WordNet 3.0's licence, for a file built from it (the one shipped in harness/data, its
    first line naming `built`)."""
    shipped = Path(__file__).resolve().parent.parent / "data" / "WORDNET-LICENSE"
    _, rest = shipped.read_text(encoding="utf-8").split("\n", 1)
    return f"WordNet 3.0 license ({built} is built from WordNet 3.0's gloss examples)\n{rest}"


def wic_suite(data: str | Path, gold: str | Path | None, *, name: str = "wic",
              max_per_lemma: int = 20, output: str = "SUITE.yaml", format: str = "wic",
              **read_options: Any) -> BuiltSuite:
    """For each lemma of Word-in-Context files (`format`: one of
    harness.suites.wic_readers.FORMATS) with pairs of both labels: every same-sense (T) pair
    more similar than every different-sense (F) pair, as schema-2 expectations
    "t1a ~ t1b > f1a ~ f1b", in a schema-3 file that records the data set it is built from."""
    from harness.suites.wic_format import wic_suite_tests
    from harness.suites.wic_readers import FORMATS, read_pairs

    if max_per_lemma < 1:
        raise HarnessError("--max-per-lemma must be at least 1")
    tests = wic_suite_tests(read_pairs(data, gold, format, **read_options), max_per_lemma)
    if not tests:
        raise HarnessError(f"{data}: no lemma has both same-sense (T) and different-sense "
                           "(F) pairs")
    description = (f"{len(tests)} lemmas of {data}: same-sense pairs more similar than "
                   f"different-sense pairs. Made by: harness make-suite wic {data} "
                   + ("" if gold is None else f"{gold} ")
                   + ("" if format == "wic" else f"--format {format} ") + f"-o {output}")
    dataset = FORMATS[format].description.split(" (")[0]
    return BuiltSuite(name, dump_suite(name, description, tests, schema=3, datasets=[dataset]),
                      len(tests),
                      len(tests), str(data))


def pairs_suite(path: str | Path, format: str, *, name: str | None = None,
                contexts: str | Path | None = None, per_word: int = 10,
                output: str = "SUITE.yaml", header: str = "") -> BuiltSuite:
    """A schema-3 suite of one graded test from a rating file in one of
    harness.suites.pair_formats.FORMATS (suite and test named after the format unless `name`
    says otherwise). With `contexts` (a file of sentences, one per line), each word alone
    becomes its type vector over the first `per_word` sentences of that file that contain it
    as a whole word (a word in none stays alone)."""
    from harness.suites.pair_formats import FORMATS, read_pairs

    if per_word < 1:
        raise HarnessError("--per-word must be at least 1")
    pairs = read_pairs(path, format)
    name = name or format
    note = ""
    if contexts is not None:
        finder = SentenceFinder(contexts)
        words = {s["word"] for p in pairs for s in (p.a, p.b) if set(s) == {"word"}}
        if not words:
            log.warning("--contexts %s: the pairs of %s have no word alone to turn into a "
                        "type vector; the sentences are not used", contexts, format)
        texts = {w: finder.sentences(w, per_word) for w in sorted(words)}
        found = sum(bool(t) for t in texts.values())
        note = (f" Words alone are type vectors over up to {per_word} sentences of {contexts} "
                f"({found} of {len(words)} words found there; the rest stay alone).")

        def typed(side: dict) -> dict:
            if set(side) == {"word"} and texts.get(side["word"]):
                return {"word": side["word"], "texts": texts[side["word"]]}
            return side

        pairs = [type(p)(typed(p.a), typed(p.b), p.score, p.line) for p in pairs]
    kind = FORMATS[format]
    command = " ".join(["harness make-suite pairs", str(path), f"--format {format}",
                        *([f"--name {name}"] if name != format else []),
                        *([f"--contexts {contexts} --per-word {per_word}"] if contexts else []),
                        f"-o {output}"])
    description = (f"{len(pairs)} pairs of {kind.description} with their human ratings: how "
                   f"well each backend's cosines track them (Spearman).{note} Made by: "
                   f"{command}")
    test = {"id": name, "scale": kind.scale,
            "pairs": [{"a": p.a, "b": p.b, "score": p.score} for p in pairs]}
    return BuiltSuite(name, dump_suite(name, description, [test], header, schema=3,
                                       datasets=kind.datasets), 1, 1,
                      f"{path} ({format}, {len(pairs)} pairs)")


class SentenceFinder:
    """The sentences of a file (one per line) that contain a word, as a whole word."""

    def __init__(self, path: str | Path):
        import re

        try:
            lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise HarnessError(f"{path}: cannot read the sentences ({exc})") from None
        self.lines = [" ".join(line.split()) for line in lines if line.strip()]
        self.index: dict[str, list[int]] = {}
        for n, line in enumerate(self.lines):
            for token in dict.fromkeys(re.findall(r"\w+", line.lower())):
                self.index.setdefault(token, []).append(n)

    def sentences(self, word: str, most: int) -> list[str]:
        """The first `most` sentences that contain `word` (case-insensitive, whole word)."""
        from harness.suites.words import find_whole_word

        key = word.lower()
        candidates = self.index.get(key, []) if key.isalnum() else range(len(self.lines))
        out = []
        for n in candidates:
            if find_whole_word(self.lines[n], word):
                out.append(self.lines[n])
                if len(out) == most:
                    break
        return out
