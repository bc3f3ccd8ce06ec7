"""WiC files read with care (the lemma check on each target token), the per-pair file
wic-pairs.csv, and the intervals (Wilson on accuracy, Hanley-McNeil on ROC-AUC) checked against
an independent computation."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.studies.wic import auc_interval, evaluate_wic, pair_similarities
from harness.suites.wic_format import LemmaCheck, read_wic
from harness.testing import FakeBackend
from tests.helpers import WIC_DATA as DATA


def test_a_wrong_index_is_an_error_naming_file_line_and_both_words(tmp_path, wic_files):
    data, gold = wic_files
    data.write_text(DATA.replace("bank\tN\t4-4", "bank\tN\t3-4"))  # "the" instead of "bank"
    with pytest.raises(HarnessError, match=r"test.data.txt:2: token 3 of sentence 1 is 'the', "
                       r"not the lemma 'bank' .*whitespace tokens from 0.*--lenient"):
        read_wic(data, gold)
    warnings: list[str] = []
    pairs = read_wic(data, gold, lenient=True, warn=warnings.append)
    assert len(pairs) == 4 and len(warnings) == 1 and "'the'" in warnings[0]


def test_the_wic_command_refuses_a_wrong_index_and_warns_with_lenient(wic_files, tmp_path,
                                                                       capsys):
    data, gold = wic_files
    data.write_text(DATA.replace("play\tV\t1-1", "play\tV\t1-0"))
    out = tmp_path / "out"
    assert main(["wic", str(data), str(gold), "-b", "glove-50d", "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert "test.data.txt:3: token 0 of sentence 2 is 'Children', not the lemma 'play'" in err
    assert main(["wic", str(data), str(gold), "--lenient", "-b", "glove-50d",
                 "-o", str(tmp_path / "out2")]) == 0
    assert "harness: warning: " in capsys.readouterr().err
    made = tmp_path / "s.yaml"
    assert main(["make-suite", "wic", str(data), str(gold), "-o", str(made)]) != 0
    assert not made.exists()


def test_inflections_pass_the_lemma_check():
    check = LemmaCheck()
    assert check.matches("played", "play", "V") and check.matches("Banks", "bank", "N")
    assert check.matches("bank,", "bank", "N")  # punctuation at the edges is left aside
    assert check.matches("river-banks", "bank", "N") and not check.matches("-", "bank", "N")
    assert not check.matches("the", "bank", "N")
    if check.morphology is not None:  # WordNet's exception lists: irregular forms
        assert check.matches("went", "go", "V") and check.matches("mice", "mouse", "N")
    # no morphology (another language, no WordNet): a prefix match
    bare = LemmaCheck()
    bare.morphology = None
    assert bare.matches("Häuser", "Häus", "N") and not bare.matches("went", "go", "V")


def test_pairs_file_and_intervals(wic_files, tmp_path):
    metrics = pytest.importorskip("sklearn.metrics")
    data, gold = wic_files
    vectors = {"He sat on the bank of the river .": [1, 0], "The river bank was muddy .": [1, 0.2],
               "She went to the bank to deposit money .": [0, 1],
               "The river overflowed its bank .": [1, 0.1]}
    backend = FakeBackend("f", {"vectors": vectors, "dim": 2, "missing": "played"})
    done = evaluate_wic(data, gold, [backend])
    [score] = done.scores
    paths = done.write(tmp_path)
    assert {p.name for p in paths} == {"wic.json", "wic.md", "wic-pairs.csv"}
    rows = list(csv.DictReader((tmp_path / "wic-pairs.csv").open()))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["word1"] == "bank" and rows[3]["word2"] == "played"
    sims = pair_similarities(FakeBackend("f", {"vectors": vectors, "dim": 2,
                                               "missing": "played"}), read_wic(data, gold))
    for row, sim in zip(rows, sims):
        if math.isfinite(sim):
            assert float(row["cosine"]) == pytest.approx(sim, abs=1e-6)
            assert row["prediction"] == ("T" if sim > score.threshold else "F")
        else:  # no vector: no prediction, counted wrong
            assert row["cosine"] == row["prediction"] == "" and row["correct"] == "no"
    correct = sum(r["correct"] == "yes" for r in rows)
    assert correct == score.correct and correct / 4 == pytest.approx(score.accuracy)
    # Wilson, by hand: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z, n, p = 1.959963984540054, 4, correct / 4
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert score.accuracy_interval == pytest.approx((max(0, centre - half),
                                                     min(1, centre + half)))
    labels = np.array([True, False, True, False])
    have = np.isfinite(sims)
    assert score.roc_auc == pytest.approx(metrics.roc_auc_score(labels[have], sims[have]))
    saved = json.loads((tmp_path / "wic.json").read_text())
    assert {"data", "gold", "dev", "results"} <= set(saved)
    assert saved["results"][0]["accuracy_interval"] == pytest.approx(score.accuracy_interval)
    assert "Wilson" in (tmp_path / "wic.md").read_text()


def test_hanley_mcneil_against_an_independent_computation():
    """The AUC from scikit-learn, the standard error from Hanley and McNeil's (1982) eq. 2
    worked out here; and the interval covers a bootstrap's spread."""
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    labels = rng.random(200) < 0.4
    scores = labels * 0.8 + rng.normal(size=200)
    auc = metrics.roc_auc_score(labels, scores)
    n1, n2 = int(labels.sum()), int((~labels).sum())
    q1, q2 = auc / (2 - auc), 2 * auc ** 2 / (1 + auc)
    se = math.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc ** 2) + (n2 - 1) * (q2 - auc ** 2))
                   / (n1 * n2))
    low, high = auc_interval(auc, n1, n2)
    assert (low, high) == pytest.approx((auc - 1.959963984540054 * se,
                                         auc + 1.959963984540054 * se))
    boot = []
    for _ in range(300):
        pick = rng.integers(0, 200, 200)
        if labels[pick].any() and not labels[pick].all():
            boot.append(metrics.roc_auc_score(labels[pick], scores[pick]))
    assert np.std(boot) == pytest.approx(se, rel=0.25)  # the same spread, roughly
    assert auc_interval(None, 3, 3) is None and auc_interval(0.7, 0, 3) is None
    assert auc_interval(1.0, 5, 5) == (1.0, 1.0)


def test_the_terminal_shows_the_intervals(wic_files, tmp_path, capsys):
    data, gold = map(str, wic_files)
    assert main(["wic", data, gold, "-b", "glove-50d", "-o", str(tmp_path / "o")]) == 0
    printed = capsys.readouterr().out
    assert "95% (Wilson)" in printed and "95% (Hanley-McNeil)" in printed
    assert "wic-pairs.csv" in printed
