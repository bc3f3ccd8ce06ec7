"""Raganato et al.'s unified WSD evaluation framework (2017): an XML file of sentences
(`corpus/text/sentence/(wf|instance)`, each token's text as element text, an instance with
`id`, `lemma` and `pos` NOUN/VERB/ADJ/ADV) and a gold key file (`instance_id key1 [key2 ...]`
per line, WordNet 3.0 sense keys such as `art%1:09:00::`), read into WSD tests
(harness.suites.wsd_builder). The XML is streamed (iterparse, each sentence cleared once read:
SemCor's 226,000 instances never sit in memory as a tree); sentences are rebuilt from their
tokens with single spaces, each instance keeping its character span."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError

log = logging.getLogger(__name__)

POS = {"NOUN": "n", "VERB": "v", "ADJ": "a", "ADV": "r"}
LAYOUT = ("Raganato's layout: <corpus><text id=..><sentence id=..><wf ..>token</wf>"
          "<instance id=.. lemma=.. pos=NOUN|VERB|ADJ|ADV>token</instance>...")


@dataclass(frozen=True, slots=True)
class Instance:
    id: str
    lemma: str
    pos: str  # n, v, a, r
    text: str  # the whole sentence (one string shared by its instances)
    span: tuple[int, int]


def read_instances(path: str | Path) -> Iterator[Instance]:
    """Every instance of a Raganato XML file, in file order, streamed sentence by sentence."""
    where = "corpus"
    try:
        events = ET.iterparse(str(path), events=("start", "end"))
        root = parent = None
        tokens: list[str] = []
        found: list[tuple[int, dict[str, str]]] = []
        for event, elem in events:
            tag = elem.tag
            if event == "start":
                if root is None:
                    root = elem
                    if tag != "corpus":
                        raise HarnessError(f"{path}: the root element is <{tag}>, not <corpus>;"
                                           f" fix: write the file in {LAYOUT}")
                elif tag == "text":
                    parent, where = elem, f"corpus/text[@id={elem.get('id')!r}]"
                continue
            if tag in ("wf", "instance"):
                if tag == "instance":
                    found.append((len(tokens), _attributes(path, elem, where, len(tokens))))
                tokens.append(" ".join((elem.text or "").split()))
            elif tag == "sentence":
                yield from _sentence(path, tokens, found, f"{where}/sentence"
                                     f"[@id={elem.get('id')!r}]")
                tokens, found = [], []
                elem.clear()
                if parent is not None and len(parent):
                    parent.remove(elem)
            elif tag == "text" and root is not None:
                root.remove(elem)
    except ET.ParseError as exc:
        line, column = exc.position
        raise HarnessError(f"{path}:{line}:{column}: not well-formed XML ({exc.msg or exc}); "
                           f"fix the file: {LAYOUT}") from None
    except OSError as exc:
        raise HarnessError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _attributes(path, elem, where: str, n: int) -> dict[str, str]:
    place = f"{where}/instance[{elem.get('id') or f'token {n}'}]"
    missing = [a for a in ("id", "lemma", "pos") if not elem.get(a)]
    if missing:
        raise HarnessError(f"{path}: {place} has no {', '.join(missing)} attribute; fix: "
                           "<instance id=\"d000.s000.t000\" lemma=\"art\" pos=\"NOUN\">")
    if elem.get("pos") not in POS:
        raise HarnessError(f"{path}: {place} has pos={elem.get('pos')!r}; fix: one of "
                           f"{', '.join(POS)}")
    return {a: elem.get(a) for a in ("id", "lemma", "pos")}


def _sentence(path, tokens: list[str], found, where: str) -> Iterator[Instance]:
    starts, at = [], 0
    for token in tokens:
        starts.append(at)
        at += len(token) + (1 if token else 0)
    text = " ".join(t for t in tokens if t)
    for n, attrs in found:
        if not tokens[n]:
            raise HarnessError(f"{path}: {where}/instance[@id={attrs['id']!r}] has no text; "
                               "fix: the token goes inside the element, <instance ...>art"
                               "</instance>")
        yield Instance(attrs["id"], attrs["lemma"], POS[attrs["pos"]], text,
                       (starts[n], starts[n] + len(tokens[n])))


def read_keys(path: str | Path) -> dict[str, tuple[list[str], int]]:
    """A gold key file: instance id -> (its sense keys, its line). Lines end in \\n or \\r\\n
    (no other character ends one); fields are separated by whitespace."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot read the gold keys ({exc})") from None
    keys: dict[str, tuple[list[str], int]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        fields = line.removesuffix("\r").split()
        if not fields:
            continue
        if len(fields) < 2:
            raise HarnessError(f"{path}:{number}: instance {fields[0]!r} has no sense key; "
                               "fix: write 'INSTANCE_ID KEY [KEY ...]', such as "
                               "'d000.s000.t000 art%1:09:00::'")
        if fields[0] in keys:
            raise HarnessError(f"{path}:{number}: instance {fields[0]!r} is also on line "
                               f"{keys[fields[0]][1]}; fix: one line per instance")
        keys[fields[0]] = (fields[1:], number)
    return keys


class SenseMapper:
    """WordNet sense keys to synset names (harness.suites.sense_keys), or the keys themselves
    when WordNet's database files are not there."""

    def __init__(self, wordnet_dir: str | Path | None = None):
        from harness.suites.sense_keys import SenseInventory
        from harness.suites.wordnet import find_wordnet_dir

        try:
            self.inventory: SenseInventory | None = SenseInventory(find_wordnet_dir(wordnet_dir))
        except FileNotFoundError as exc:
            if wordnet_dir is not None:
                raise HarnessError(str(exc)) from None
            log.warning("WordNet's database files are not installed (apt-get install "
                        "wordnet-base): the suite keeps the sense keys as sense ids, and its "
                        "candidates are the senses its files use")
            self.inventory = None

    def senses(self, keys: list[str], path, line: int) -> list[str]:
        if self.inventory is None:
            return keys
        out = []
        for key in keys:
            name = self.inventory.synset_of_key(key)
            if name is None:
                raise HarnessError(f"{path}:{line}: sense key {key!r} is not in WordNet 3.0; "
                                   "fix: use WordNet 3.0 sense keys (lemma%ss_type:lex_filenum:"
                                   "lex_id:head_word:head_id, such as art%1:09:00::), mapping "
                                   "keys of other WordNet versions first")
            out.append(name)
        return out


def labelled(xml: str | Path, gold: str | Path, mapper: SenseMapper,
             keep: set[tuple[str, str]] | None = None) -> Iterator[tuple[Instance, list[str]]]:
    """Each instance with its senses; with `keep`, only those of these (lemma, pos)."""
    keys = read_keys(gold)
    for instance in read_instances(xml):
        entry = keys.get(instance.id)
        if entry is None:
            raise HarnessError(f"{xml}: instance {instance.id!r} has no line in {gold}; fix: "
                               f"add '{instance.id} SENSE_KEY' to {gold}")
        if keep is None or (instance.lemma.lower(), instance.pos) in keep:
            yield instance, mapper.senses(entry[0], gold, entry[1])


def raganato_tests(xml: str | Path, gold: str | Path, train_xml: str | Path,
                   train_gold: str | Path, wordnet_dir: str | Path | None = None):
    """WSD tests, one per (lemma, pos) of the test file that the training file has; and how
    many test instances were left out for want of training contexts."""
    from harness.suites.wsd_builder import WsdTest

    mapper = SenseMapper(wordnet_dir)
    tests: dict[tuple[str, str], WsdTest] = {}
    for instance, senses in labelled(xml, gold, mapper):
        key = (instance.lemma.lower(), instance.pos)
        if key not in tests:
            inventory = [] if mapper.inventory is None else mapper.inventory.senses(*key)
            tests[key] = WsdTest(key[0], key[1], inventory, wordnet=mapper.inventory is not None)
        tests[key].test.append({"id": instance.id, "text": instance.text,
                                "span": instance.span, "gold": senses})
    for instance, senses in labelled(train_xml, train_gold, mapper, set(tests)):
        tests[(instance.lemma.lower(), instance.pos)].train.append(
            {"text": instance.text, "span": instance.span, "sense": senses[0]})
    kept = [t for t in tests.values() if t.train]
    left_out = sum(len(t.test) for t in tests.values() if not t.train)
    for t in kept:  # senses WordNet does not list for this lemma (or no WordNet): after its own
        seen = [s for c in t.test for s in c["gold"]] + [c["sense"] for c in t.train]
        t.senses += [s for s in dict.fromkeys(seen) if s not in t.senses]
    return sorted(kept, key=lambda t: (t.pos, t.lemma)), left_out, len(tests)


def raganato_suite(xml: str | Path, gold: str | Path, *, train: tuple[str, str] | None,
                   name: str | None = None, wordnet_dir: str | Path | None = None,
                   output: str = "SUITE.yaml"):
    """`harness make-suite wsd --format raganato`: a WSD suite from a test file and its gold
    keys, with a training file (SemCor) in the same format."""
    from harness.suites.wsd_builder import built

    if train is None:
        raise HarnessError("--format raganato needs --train XML GOLD (such as SemCor's "
                           "semcor.data.xml semcor.gold.key.txt): WSD by nearest sense "
                           "centroid learns each sense from sense-tagged training contexts")
    tests, left_out, lemmas = raganato_tests(xml, gold, *train, wordnet_dir=wordnet_dir)
    if not tests:
        raise HarnessError(f"{xml}: none of its lemmas has a training context in {train[0]}")
    name = name or Path(xml).name.split(".")[0]
    n_test = sum(len(t.test) for t in tests)
    command = (f"harness make-suite wsd --format raganato {xml} {gold} --train {train[0]} "
               f"{train[1]} --name {name} -o {output}")
    description = (f"{len(tests)} lemmas of {xml} ({n_test} test instances) with training "
                   f"contexts from {train[0]} ({sum(len(t.train) for t in tests)}); "
                   f"{left_out} test instances of {lemmas - len(tests)} lemmas left out: "
                   f"no training context. Made by: {command}")
    return built(name, description, tests, str(xml), header=f"built by: {command}",
                 datasets=[f"{Path(xml).name} (Raganato et al. 2017)", Path(train[0]).name],
                 possible=lemmas)
