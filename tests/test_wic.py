"""The WiC format: reading it, WiC accuracy with a tuned threshold, and suites of pair
expectations (schema 2)."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from harness.cli import main
from harness.errors import HarnessError, SuiteError
from harness.pipeline.runner import run_suites
from harness.studies.wic import accuracy, pair_similarities, tune_threshold
from harness.suites.validate import load_suite
from harness.suites.wic_format import read_wic, token_span
from harness.testing import FakeBackend


def test_read_wic(wic_files):
    pairs = read_wic(*wic_files)
    assert [p.same_sense for p in pairs] == [True, False, True, False]
    first = pairs[0]
    assert (first.lemma, first.pos) == ("bank", "N")
    assert first.a.word == "bank" and first.b.word == "bank"
    assert pairs[3].b.word == "played"


def test_token_span():
    assert token_span("a bb ccc", 2) == (5, 8)
    assert token_span("a bb", 5) is None


@pytest.mark.parametrize(("data", "gold", "message"), [
    ("bank\tN\t4-2\tonly four fields\n", "T\n", "expected 5 tab-separated fields"),
    ("bank\tN\tx\ta b\tc d\n", "T\n", "is not like 3-7"),
    ("bank\tN\t9-0\ta b\tc d\n", "T\n", "token 9 or 0 is not in its sentence"),
    ("bank\tN\t0-0\ta b\tc d\n", "T\nF\n", "2 labels for the 1 pairs"),
    ("bank\tN\t0-0\ta b\tc d\n", "yes\n", ":1: expected T or F"),
])
def test_bad_wic_files(tmp_path, data, gold, message):
    (tmp_path / "d.txt").write_text(data)
    (tmp_path / "g.txt").write_text(gold)
    with pytest.raises(HarnessError, match=message):
        read_wic(tmp_path / "d.txt", tmp_path / "g.txt")


def test_threshold_and_accuracy():
    sims = np.array([0.9, 0.8, 0.3, 0.2, np.nan])
    labels = np.array([True, True, False, False, True])
    threshold = tune_threshold(sims[:4], labels[:4])
    assert 0.3 < threshold < 0.8
    assert accuracy(sims[:4], labels[:4], threshold) == 1.0
    assert accuracy(sims, labels, threshold) == 0.8  # a missing vector counts as wrong


def test_pair_similarities_use_the_target_vectors(wic_files):
    pairs = read_wic(*wic_files)
    backend = FakeBackend("f", {"vectors": {"bank": [1, 0], "played": [0, 1], "play": [1, 0]},
                                "dim": 2})
    sims = pair_similarities(backend, pairs)
    np.testing.assert_allclose(sims, [1, 1, 1, 0])


def test_wic_command(wic_files, tmp_path, capsys):
    data, gold = map(str, wic_files)
    out = tmp_path / "out"
    assert main(["wic", data, gold, "--dev", data, gold, "-b", "glove-50d", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "glove-50d" in printed and "dev" in printed
    result = json.loads((out / "wic.json").read_text())["results"][0]
    assert result["pairs"] == 4 and 0 <= result["accuracy"] <= 1


def test_wic_reports_the_roc_auc_scikit_learn_computes(wic_files):
    metrics = pytest.importorskip("sklearn.metrics")
    import harness

    data, gold = wic_files
    backend = FakeBackend("fake", {"missing": "played"})  # one pair without a similarity
    [score] = harness.evaluate_wic(data, gold, [backend], cache=False).scores
    sims = pair_similarities(FakeBackend("fake", {"missing": "played"}), read_wic(data, gold))
    labels = np.array([p.same_sense for p in read_wic(data, gold)])
    have = np.isfinite(sims)
    assert score.missing == 1 and have.sum() == 3
    assert score.roc_auc == pytest.approx(metrics.roc_auc_score(labels[have], sims[have]))


def test_wic_suite_with_pair_expectations(wic_files, tmp_path):
    out = tmp_path / "wic.yaml"
    assert main(["make-suite", "wic", *map(str, wic_files), "-o", str(out)]) == 0
    suite = load_suite(out)
    assert [t.id for t in suite.tests] == ["bank.N", "play.V"]
    [exp] = suite.tests[0].expect
    assert str(exp) == "t1a ~ t1b > f1a ~ f1b"
    vectors = {"He sat on the bank of the river .": [1, 0, 0],
               "The river bank was muddy .": [0.9, 0.1, 0],
               "She went to the bank to deposit money .": [0, 1, 0],
               "The river overflowed its bank .": [1, 0, 0]}
    results = run_suites([suite], [FakeBackend("f", {"vectors": vectors, "dim": 3})])
    row = results.rows[0]
    assert row.sim_closer == pytest.approx(0.9 / np.hypot(0.9, 0.1))  # sim(t1a, t1b)
    assert row.sim_farther == pytest.approx(0.0)  # sim(f1a, f1b)
    assert row.passed


def test_pair_expectations_need_schema_2(write_suite):
    text = """\
        suite: s
        tests:
          - id: t
            contexts:
              a: {text: "x y", word: x}
              b: {text: "x y", word: y}
              c: {text: "z w", word: z}
              d: {text: "z w", word: w}
            expect: ["a ~ b > c ~ d"]
        """
    with pytest.raises(SuiteError, match="compares two pairs, which needs schema: 2"):
        load_suite(write_suite(text))
    suite = load_suite(write_suite("schema: 2\n" + textwrap.dedent(text), "s2.yaml"))
    assert suite.tests[0].expect[0].labels == ("a", "b", "c", "d")
    with pytest.raises(SuiteError, match="two different pairs"):
        load_suite(write_suite("schema: 2\n" + textwrap.dedent(text).replace(
            "a ~ b > c ~ d", "a ~ b > b ~ a"), "s3.yaml"))


def test_wic_keeps_the_other_backends_when_one_fails(wic_files, tmp_path, capsys):
    data, gold = map(str, wic_files)
    out = tmp_path / "out"
    broken = tmp_path / "broken"  # a matrix of 3 rows and an index of 2 words: it raises
    broken.mkdir()
    np.save(broken / "m.npy", np.eye(3, dtype=np.float32))
    (broken / "words.txt").write_text("bank\nriver\n")
    code = main(["wic", data, gold, "-b", f"static:vectors={broken}",
                 "-b", "glove-50d", "-o", str(out)])
    assert code == 2
    results = json.loads((out / "wic.json").read_text())["results"]
    assert [r["backend"] for r in results] == ["glove-50d"]
    assert "harness: error: backend static:vectors=" in capsys.readouterr().err
