"""The reference sample for anisotropy statistics: the shipped file, and how it is built."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from harness.pipeline.reference import (
    REFERENCE_PATH,
    REFERENCE_SIZE,
    build_reference,
    read_reference,
    reference_contexts,
    reference_rows,
    write_reference,
)
from harness.suites.wordnet import Morphology, find_wordnet_dir
from harness.suites.words import locate_word


@pytest.fixture
def wordnet_dir() -> Path:
    try:
        return find_wordnet_dir()
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise  # .ci/run installs wordnet-base: missing there is a defect
        pytest.skip("wordnet-base is not installed")


def test_the_shipped_sample_loads_into_items_that_pick_their_word():
    rows, items = reference_rows(), reference_contexts()
    assert len(rows) == len(items) == REFERENCE_SIZE
    for row, item in zip(rows, items):
        assert item.text == row.text and item.word == row.word
        assert locate_word(row.text, row.word) == row.span  # a whole word, once
        assert row.pos in "nvar" and len(row.synset) == 8 and row.synset.isdigit()
    assert reference_contexts() is not items and reference_contexts() == items


def test_the_shipped_sample_has_words_in_several_sentences():
    rows = reference_rows()
    sentences = Counter(row.lemma for row in {(r.lemma, r.text): r for r in rows}.values())
    assert sum(Counter(r.lemma for r in rows).values()) == len(rows)  # no sentence twice
    several = {lemma for lemma, n in sentences.items() if n >= 5}
    assert len(several) >= 150 and max(sentences.values()) <= 8
    assert {r.pos for r in rows if r.lemma in several} == set("nvar")
    assert len({(r.lemma, r.pos) for r in rows}) == len(sentences)  # one pos per lemma
    assert len(sentences) - len(several) >= 500  # and many other words, once each


def test_every_target_is_the_lemma_or_an_inflection_of_it(wordnet_dir):
    morphology = Morphology(wordnet_dir)
    wrong = [r for r in reference_rows() if r.lemma not in morphology.base_forms(r.word, r.pos)]
    assert wrong == []


@pytest.mark.slow
def test_the_shipped_sample_is_what_the_generator_makes(wordnet_dir, tmp_path):
    """Run for real on WordNet 3.0: the same call gives the same file, byte for byte."""
    out = tmp_path / "reference.tsv"
    write_reference(out, wordnet_dir)
    assert out.read_bytes() == REFERENCE_PATH.read_bytes()


def fake_wordnet(folder: Path) -> Path:
    """A WordNet folder whose nouns "bank" and "river" have several example sentences."""
    def synset(offset: int, pos: str, lemma: str, examples: list[str]) -> str:
        quoted = "; ".join(f'"{e}"' for e in examples)
        return f"{offset:08d} 04 {pos} 01 {lemma} 0 000 | a gloss; {quoted}  \n"

    banks = [f"they sat on the bank number {i}" for i in range(4)]
    (folder / "data.noun").write_text(
        synset(1, "n", "bank", [*banks, "two banks and a river"])
        + synset(2, "n", "bank", ["he robbed the bank today", banks[0]])
        + synset(3, "n", "river", [f"the river {i} ran dry" for i in range(6)])
        + synset(4, "n", "mouse", ["a mouse ran past", "a mouse", "mouse and mouse ran"])
        + synset(5, "n", "cat", ["the cat sat down", "the cat slept there"]))
    (folder / "data.verb").write_text(synset(6, "v", "bank", [f"we banked it {i}" for i in "ab"]))
    (folder / "data.adj").write_text("")
    (folder / "data.adv").write_text("")
    return folder


def test_the_sample_is_drawn_by_the_rules_and_the_same_each_time(tmp_path):
    folder = fake_wordnet(tmp_path)
    rows = build_reference(folder, size=20, seed=0, per_word=4, min_occurrences=3)
    assert build_reference(folder, size=20, seed=0, per_word=4, min_occurrences=3) == rows
    counts = Counter(r.lemma for r in rows)
    assert counts == {"bank": 4, "river": 4, "mouse": 1, "cat": 1}
    assert {r.pos for r in rows if r.lemma == "bank"} == {"n"}  # one part of speech a lemma
    assert len({r.text for r in rows}) == len(rows)
    assert "a mouse" not in {r.text for r in rows}  # too short; "mouse and mouse": twice
    assert [r.lemma for r in rows] == sorted(r.lemma for r in rows)
    assert {r.word for r in rows} <= {"bank", "banks", "river", "mouse", "cat"}


def test_the_file_says_how_it_was_made_and_reads_back(tmp_path):
    folder = fake_wordnet(tmp_path)
    out = tmp_path / "sample.tsv"
    rows = write_reference(out, folder, size=6, seed=1, per_word=4, min_occurrences=3)
    text = out.read_text()
    assert "build_reference(size=6, seed=1, per_word=4, min_occurrences=3)" in text
    assert "--size 6 --seed 1 --per-word 4 --min-occurrences 3" in text
    assert text.count("Princeton") >= 2
    assert read_reference(out) == rows and len(rows) == 6
    (tmp_path / "other.tsv").write_text("# nothing\nword\ttext\n")
    with pytest.raises(ValueError, match="not a reference sample"):
        read_reference(tmp_path / "other.tsv")


def test_the_command_writes_the_file(tmp_path, capsys):
    from harness.cli import main

    folder = fake_wordnet(tmp_path)
    out = tmp_path / "sample.tsv"
    assert main(["make-reference", "--wordnet-dir", str(folder), "-o", str(out), "--size", "12",
                 "--per-word", "4", "--min-occurrences", "3"]) == 0
    assert len(read_reference(out)) == 10  # all there is: 4 + 4 + 1 + 1
    assert "10 items of 4 lemmas, 2 of them in 3 or more sentences" in capsys.readouterr().out
