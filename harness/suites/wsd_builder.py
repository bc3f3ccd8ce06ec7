"""Word-sense disambiguation suites (schema 4, tests of kind `wsd`): built from WordNet 3.0's
gloss examples (`harness make-suite wsd`), written as readable YAML, and checked against the
format's rules before anything is written. Raganato et al.'s files are read by
harness.suites.raganato into the same WsdTest records."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError, SuiteError
from harness.suites.builders import BuiltSuite, _context, _q

POS = ("n", "v", "a", "r")


@dataclass
class WsdTest:
    """One lemma and part of speech: its candidate senses, training and test contexts (each a
    context mapping: text with word/occurrence or span; train with `sense`, test with `id`
    and `gold`)."""

    lemma: str
    pos: str
    senses: list[str]
    train: list[dict] = field(default_factory=list)
    test: list[dict] = field(default_factory=list)
    wordnet: bool = False  # the senses are WordNet synset names in WordNet's order

    @property
    def id(self) -> str:
        return f"{self.lemma.replace(' ', '_')}.{self.pos}"


def check_wsd(tests: Sequence[WsdTest]) -> list[str]:
    """The format's rules (docs/wsd-data.md), as problems: each test needs a lemma, a part of
    speech n/v/a/s/r, candidate senses without repeats, >= 1 train and >= 1 test context, each
    context a text with a word or a span inside it; train senses and gold senses among the
    candidates; ids unique (tests, and test contexts across the suite)."""
    problems: list[str] = []
    seen_tests: set[str] = set()
    seen_contexts: set[str] = set()
    for t in tests:
        where = f"test {t.id}"
        if t.id in seen_tests:
            problems.append(f"{where}: the id is used twice")
        seen_tests.add(t.id)
        if not t.lemma or t.pos not in ("n", "v", "a", "s", "r"):
            problems.append(f"{where}: needs a lemma and a pos (n, v, a, s, r)")
        if not t.senses or len(set(t.senses)) != len(t.senses):
            problems.append(f"{where}: senses must be a non-empty list without repeats")
        if not t.train or not t.test:
            problems.append(f"{where}: needs at least one train and one test context")
        candidates = set(t.senses)
        for n, ctx in enumerate(t.train):
            if ctx.get("sense") not in candidates:
                problems.append(f"{where}: train[{n}] sense {ctx.get('sense')!r} is not one "
                                "of its senses")
            problems += _context_problems(ctx, f"{where}: train[{n}]")
        for n, ctx in enumerate(t.test):
            gold = ctx.get("gold") or []
            if not gold or any(g not in candidates for g in gold):
                problems.append(f"{where}: test[{n}] gold {gold!r} is empty or not among its "
                                "senses")
            if ctx["id"] in seen_contexts:
                problems.append(f"{where}: test[{n}] id {ctx['id']!r} is used twice")
            seen_contexts.add(ctx["id"])
            problems += _context_problems(ctx, f"{where}: test[{n}]")
    return problems


def _context_problems(ctx: dict, where: str) -> list[str]:
    text = ctx.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: no text"]
    if ctx.get("span") is not None:
        start, end = ctx["span"]
        if not 0 <= start < end <= len(text):
            return [f"{where}: span {ctx['span']} is outside its text"]
        return []
    word = ctx.get("word")
    if not word:
        return [f"{where}: needs a word or a span"]
    from harness.suites.words import locate_word

    try:
        locate_word(text, word, ctx.get("occurrence"))
    except ValueError as exc:
        return [f"{where}: {exc}"]
    return []


def dump_wsd(name: str, description: str, tests: Sequence[WsdTest], header: str = "",
             datasets: Sequence[str] = ()) -> str:
    """A schema-4 suite of `wsd` tests: one line per context."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += ["schema: 4", f"suite: {_q(name)}", f"description: {_q(description)}"]
    lines += [f"datasets: [{', '.join(_q(d) for d in datasets)}]"] if datasets else []
    lines += ["tests:"]
    for t in tests:
        lines += [f"  - id: {_q(t.id)}", "    wsd:", f"      lemma: {_q(t.lemma)}",
                  f"      pos: {t.pos}",
                  f"      senses: [{', '.join(_q(s) for s in t.senses)}]"]
        lines += ["      wordnet: true"] if t.wordnet else []
        lines.append("      train:")
        lines += [f"        - {_context(c)[:-1]}, sense: {_q(c['sense'])}}}" for c in t.train]
        lines.append("      test:")
        lines += [f"        - {{id: {_q(c['id'])}, {_context(c)[1:-1]}, gold: "
                  f"[{', '.join(_q(g) for g in c['gold'])}]}}" for c in t.test]
    return "\n".join(lines) + "\n"


class WsdSuite(BuiltSuite):
    """A built WSD suite: checked against the format's rules (check_wsd) before it is
    written, then by the suite reader once it knows schema 4's `wsd` tests."""

    problems: tuple[str, ...] = ()

    def write(self, path: str | Path) -> Path:
        if self.problems:
            raise SuiteError(str(path), [f"nothing written: the suite made from {self.source} "
                                         "would not be valid", *self.problems])
        if _reader_knows_wsd():
            return super().write(path)
        from harness.files import atomic_write

        path = Path(path)
        atomic_write(path, self.text)
        for name, text in self.beside.items():
            atomic_write(path.parent / name, text)
        return path


def _reader_knows_wsd() -> bool:
    """Whether this harness's suite reader reads `wsd` tests (the measure is registered)."""
    from harness.plugins.manager import make_plugin_host

    return any(getattr(r.measure, "kind", None) == "wsd" for r in make_plugin_host().measures())


def built(name: str, description: str, tests: list[WsdTest], source: str, *, header: str = "",
          datasets: Sequence[str] = (), possible: int | None = None,
          beside: dict[str, str] | None = None) -> WsdSuite:
    """The suite, its problems recorded (WsdSuite.write refuses to write it when any)."""
    suite = WsdSuite(name, dump_wsd(name, description, tests, header, datasets), len(tests),
                     len(tests) if possible is None else possible, source, beside or {})
    object.__setattr__(suite, "problems", tuple(check_wsd(tests)))
    return suite


def split(examples: list, seed: int, key: str, test_share: float) -> tuple[list, list]:
    """Training and test examples: shuffled by `seed` and `key` (so one lemma's split does
    not depend on which other lemmas are in the suite), at least one of each."""
    order = list(examples)
    random.Random(f"{seed}:{key}").shuffle(order)
    n_test = min(len(order) - 1, max(1, int(len(order) * test_share)))
    return order[n_test:], order[:n_test]


def wordnet_wsd_tests(folder: str | Path, parts: Sequence[str], *, min_examples: int = 2,
                      min_words: int = 1, seed: int = 0, test_share: float = 0.5
                      ) -> list[WsdTest]:
    """Every (lemma, pos) with at least two senses that each have `min_examples` gloss
    examples holding the lemma or an inflection of it (harness.suites.wordnet's morphology):
    those senses' examples split into train and test; candidates all its WordNet senses."""
    from harness.suites.sense_keys import SenseInventory
    from harness.suites.wordnet import Morphology, read_synsets, usable_context

    inventory = SenseInventory(folder, tuple(parts))
    morphology = Morphology(folder)
    out = []
    for pos in parts:
        examples: dict[str, dict[str, list]] = {}  # lemma -> synset name -> contexts
        for synset in read_synsets(folder, pos):
            name = inventory.name(pos, synset.offset)
            for lemma in dict.fromkeys(lem.lower() for lem in synset.lemmas):
                found = [c for c in (usable_context(e, lemma, pos, morphology, min_words, False)
                                     for e in synset.examples) if c is not None]
                if found:
                    examples.setdefault(lemma, {})[name] = found
        for lemma in sorted(examples):
            rich = {s: c for s, c in examples[lemma].items() if len(c) >= min_examples}
            if len(rich) < 2:
                continue
            test = WsdTest(lemma, pos, inventory.senses(lemma, pos), wordnet=True)
            for sense in test.senses:
                if sense not in rich:
                    continue
                train, held = split(rich[sense], seed, f"{test.id}:{sense}", test_share)
                test.train += [_ctx(c) | {"sense": sense} for c in train]
                test.test += [_ctx(c) | {"gold": [sense]} for c in held]
            for n, ctx in enumerate(test.test, 1):
                ctx["id"] = f"{test.id}#{n}"
            out.append(test)
    return out


def _ctx(example) -> dict:
    return {"text": example.text, "word": example.word, "occurrence": example.occurrence}


def wordnet_wsd_suite(*, pos: str = "n,v,a,r", min_examples: int = 2, min_words: int = 1,
                      seed: int = 0, test_share: float = 0.5, limit: int | None = None,
                      name: str = "wordnet-wsd", wordnet_dir: str | Path | None = None,
                      output: str = "SUITE.yaml") -> WsdSuite:
    """`harness make-suite wsd` from WordNet's database files (see wordnet_wsd_tests); with
    `limit`, that many lemmas chosen by `seed`, in the suite in alphabetical order per POS."""
    from harness.suites.builders import wordnet_license
    from harness.suites.wordnet import DATA_FILES, find_wordnet_dir

    asked = {p.strip() for p in pos.split(",") if p.strip()}
    parts = [p for p in DATA_FILES if p in asked]
    if asked - set(DATA_FILES) or not parts:
        raise HarnessError(f"--pos {pos}: use n, v, a, r (comma-separated)")
    if min_examples < 2:
        raise HarnessError(f"--min-examples {min_examples}: at least 2 (one training and one "
                           "test context per sense)")
    if not 0 < test_share < 1:
        raise HarnessError(f"--test-share {test_share}: a share between 0 and 1, such as 0.5")
    if limit is not None and limit < 1:
        raise HarnessError(f"--limit {limit}: at least 1")
    try:
        folder = find_wordnet_dir(wordnet_dir)
    except FileNotFoundError as exc:
        raise HarnessError(str(exc)) from None
    found = wordnet_wsd_tests(folder, parts, min_examples=min_examples, min_words=min_words,
                              seed=seed, test_share=test_share)
    chosen = found
    if limit is not None and limit < len(found):
        picked = set(random.Random(seed).sample(range(len(found)), limit))
        chosen = [t for n, t in enumerate(found) if n in picked]
    if not chosen:
        raise HarnessError("no WordNet lemma fits these options (try --min-examples 2)")
    command = " ".join(["harness make-suite wsd", f"--pos {','.join(parts)}",
                        f"--min-examples {min_examples}", f"--min-words {min_words}",
                        f"--test-share {test_share:g}", f"--seed {seed}",
                        *([f"--limit {limit}"] if limit is not None else []),
                        f"--name {name}", f"-o {output}"])
    train = sum(len(t.train) for t in chosen)
    held = sum(len(t.test) for t in chosen)
    senses = sum(len({c["sense"] for c in t.train}) for t in chosen)
    description = (f"{len(chosen)} WordNet 3.0 lemmas (of {len(found)} possible) with "
                   f"{senses} senses that have gloss examples: {train} training and {held} "
                   "test contexts; label each test context with its nearest sense. "
                   f"Made by: {command}")
    header = (f"built by: {command}\nWordNet 3.0 word-sense disambiguation from WordNet's "
              "gloss examples. WordNet 3.0 Copyright 2006 by Princeton University;\nused "
              "under the WordNet 3.0 license (WORDNET-LICENSE beside this file).")
    return built(name, description, chosen, f"WordNet ({', '.join(parts)})", header=header,
                 datasets=["WordNet 3.0"], possible=len(found),
                 beside={"WORDNET-LICENSE": wordnet_license(output)})
