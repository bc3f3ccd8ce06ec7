"""Suites built from real data: WordNet sense tests and Word-in-Context pairs, written as
readable YAML (one line per context, strings JSON-quoted: a JSON string is a valid YAML
double-quoted scalar). The CLI's `make-suite` and the benchmarks both build suites here."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.files import atomic_write

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

    def write(self, path: str | Path) -> Path:
        """Write it atomically, then read it back (what was written must validate)."""
        from harness.suites.validate import load_suite

        path = Path(path)
        atomic_write(path, self.text)
        load_suite(path)
        return path


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def dump_suite(name: str, description: str, tests: Sequence[Mapping[str, Any]],
               header: str = "", schema: int = 1) -> str:
    """`tests`: mappings with id, optional description, contexts (label -> {text, and word
    with occurrence, or span}) and expect (strings)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"schema: {schema}"] if schema != 1 else []
    lines += [f"suite: {_q(name)}", f"description: {_q(description)}", "tests:"]
    for test in tests:
        lines.append(f"  - id: {_q(test['id'])}")
        if test.get("description"):
            lines.append(f"    description: {_q(test['description'])}")
        lines.append("    contexts:")
        for label, ctx in test["contexts"].items():
            fields = [f"text: {_q(ctx['text'])}"]
            if ctx.get("word") is not None:
                fields.append(f"word: {_q(ctx['word'])}")
            if ctx.get("occurrence") is not None:
                fields.append(f"occurrence: {int(ctx['occurrence'])}")
            if ctx.get("span") is not None:
                fields.append(f"span: [{int(ctx['span'][0])}, {int(ctx['span'][1])}]")
            lines.append(f"      {label}: {{{', '.join(fields)}}}")
        lines.append("    expect:")
        lines += [f"      - {_q(e)}" for e in test["expect"]]
    return "\n".join(lines) + "\n"


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
    return BuiltSuite(name, text, len(chosen), len(found), f"WordNet ({', '.join(parts)})")


def wic_suite(data: str | Path, gold: str | Path, *, name: str = "wic",
              max_per_lemma: int = 20, output: str = "SUITE.yaml") -> BuiltSuite:
    """For each lemma of Word-in-Context files with pairs of both labels: every same-sense (T)
    pair more similar than every different-sense (F) pair, as schema-2 expectations
    "t1a ~ t1b > f1a ~ f1b"."""
    from harness.suites.wic_format import read_wic, wic_suite_tests

    if max_per_lemma < 1:
        raise HarnessError("--max-per-lemma must be at least 1")
    tests = wic_suite_tests(read_wic(data, gold), max_per_lemma)
    if not tests:
        raise HarnessError(f"{data}: no lemma has both same-sense (T) and different-sense "
                           "(F) pairs")
    description = (f"{len(tests)} lemmas of {data}: same-sense pairs more similar than "
                   f"different-sense pairs. Made by: harness make-suite wic {data} {gold} "
                   f"-o {output}")
    return BuiltSuite(name, dump_suite(name, description, tests, schema=2), len(tests),
                      len(tests), str(data))
