"""The `wsd` kind of test (suite schema 4): the suite format and its errors, Raganato's scorer
on hand-worked examples, ties, and the F1 of a run against scikit-learn's nearest centroid and
k-nearest-neighbours classifiers computed here on `harness.embed`'s vectors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import harness
from harness.cli import main
from harness.errors import SuiteError
from harness.measures.wsd import WSD, WsdRow, confused_pairs, summarize
from harness.measures.wsd_scoring import most_frequent, predict_centroid, predict_knn, score
from harness.results.model import Results
from harness.suites.validate import parse_suite
from harness.suites.yaml import load_yaml_text

LEMMAS = {"bank": ("n", ["river", "money"]), "run": ("v", ["move", "manage"]),
          "bright": ("a", ["light", "clever"])}


def wsd_suite(k: int | None = None, n_train: int = 4, n_test: int = 3) -> str:
    """3 lemmas x 2 senses, each sense with `n_train` training and `n_test` test contexts."""
    lines = ["schema: 4", "suite: tiny-wsd", "tests:"]
    for lemma, (pos, senses) in LEMMAS.items():
        ids = [f"{lemma}.{pos}.0{i + 1}" for i in range(len(senses))]
        lines += [f"  - id: {lemma}.{pos}", "    wsd:", f"      lemma: {lemma}",
                  f"      pos: {pos}", f"      senses: [{', '.join(ids)}]", "      wordnet: true"]
        if k is not None:
            lines.append(f"      k: {k}")
        lines.append("      train:")
        for sid, topic in zip(ids, senses):
            lines += [f'        - {{text: "{lemma} about {topic} number {i}.", word: {lemma}, '
                      f"sense: {sid}}}" for i in range(n_train)]
        lines.append("      test:")
        for sid, topic in zip(ids, senses):
            lines += [f'        - {{id: {lemma}-{topic}-{i}, text: "A {topic} {lemma} test {i}.",'
                      f" word: {lemma}, gold: [{sid}]}}" for i in range(n_test)]
    return "\n".join(lines) + "\n"


def parse(text: str):
    return parse_suite(load_yaml_text(text, "s.yaml"), "s.yaml", measures=[WSD])


def problems(text: str) -> str:
    with pytest.raises(SuiteError) as info:
        parse(text)
    return str(info.value)


# -- the scorer ----------------------------------------------------------------------------------
def test_raganato_scorer_by_hand():
    # 5 items: 3 answered, 2 of them right (one through its second gold key), 2 unanswered
    s = score([("a", ["a"]), ("b", ["c", "b"]), ("a", ["b"]), (None, ["a"]), (None, ["b"])])
    assert (s.correct, s.answered, s.total) == (2, 3, 5)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 5)
    assert s.f1 == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))  # = 0.5
    assert s.f1 == pytest.approx(0.5)
    # unanswered items lower recall, not precision
    assert score([("a", ["a"]), (None, ["a"])]).precision == 1.0
    assert score([("a", ["a"]), (None, ["a"])]).recall == 0.5
    assert score([(None, ["a"])]).f1 is None and score([("b", ["a"])]).f1 == 0.0


def row(pos, predicted, gold, mfs=False, first=None):
    return WsdRow("m", "s", "t", "i", "w", pos, predicted, gold,
                  predicted in gold, predicted is not None, False, None, None, mfs, first)


def test_summary_per_pos_and_baselines():
    rows = [row("n", "a", ["a"], True, True), row("n", "b", ["a"], True, False),
            row("v", None, ["x"], False, True), row("v", "x", ["y", "x"], False, False)]
    s = summarize("m", "s", rows)
    assert (s.precision, s.recall, s.answered, s.total) == (2 / 3, 0.5, 3, 4)
    assert s.score == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert s.per_pos == {"n": 0.5, "v": pytest.approx(2 * 1 * 0.5 / 1.5)}
    assert s.mfs_f1 == 0.5 and s.first_sense_f1 == 0.5
    assert s.recall_ci[0] < 0.5 < s.recall_ci[1] and s.unscored == 1
    assert confused_pairs(rows) == [("a", "b", 1)]


def test_ties_are_broken_by_the_order_of_senses_and_said():
    train = {"s1": [np.array([1.0, 0.0])], "s2": [np.array([0.0, 1.0])]}
    v = np.array([1.0, 1.0]) / np.sqrt(2)
    found = predict_centroid(v, ["s2", "s1"], train)
    assert found.sense == "s2" and found.tie and found.margin == pytest.approx(0.0)
    clear = predict_centroid(np.array([1.0, 0.0]), ["s2", "s1"], train)
    assert clear.sense == "s1" and not clear.tie and clear.margin == pytest.approx(1.0)
    assert predict_centroid(v, ["s3"], train) is None  # no candidate has a centroid
    # kNN: 1 vote each, equal summed cosines: a tie, the first of `senses`
    assert predict_knn(v, ["s1", "s2"], train, 2).sense == "s1"
    assert predict_knn(v, ["s1", "s2"], train, 2).tie
    assert most_frequent(["a", "b"], ["b", "a"]) == "a"
    assert most_frequent(["a", "b"], ["b", "a", "b"]) == "b"


# -- the format ----------------------------------------------------------------------------------
def test_a_suite_parses_with_default_ids():
    suite = parse(wsd_suite().replace("id: bank-river-0, ", ""))
    test = suite.tests[0]
    assert test.kind == "wsd" and test.data.senses == ("bank.n.01", "bank.n.02")
    assert [c.id for c in test.data.test][:2] == ["bank.n#1", "bank-river-1"]
    assert test.data.train[0].context.word == "bank" and len(test.needs) == 8 + 6


GOOD = """\
schema: 4
suite: s
tests:
  - id: bank.n
    wsd:
      lemma: bank
      pos: n
      senses: [bank.n.01, bank.n.02]
      train:
        - {text: "He sat on the bank.", word: bank, sense: bank.n.01}
      test:
        - {id: x, text: "The bank lent money.", span: [4, 8], gold: [bank.n.02]}
"""


@pytest.mark.parametrize("change, expected", [
    (("schema: 4", "schema: 3"), "s.yaml:5: test 'bank.n': wsd (a test of kind wsd) needs "
     "schema: 4"),
    (("pos: n", "pos: x"), "s.yaml:7: test 'bank.n', field 'wsd.pos': 'x' is not a part of"),
    (("sense: bank.n.01}", "sense: bank.n.09}"), "s.yaml:10: test 'bank.n', wsd.train[1], "
     "field 'sense': 'bank.n.09' is not one of the test's senses"),
    (("gold: [bank.n.02]", "gold: [bank.n.03]"), "s.yaml:12: test 'bank.n', wsd.test[1], "
     "field 'gold': 'bank.n.03' is not one of the test's senses"),
    (("gold: [bank.n.02]", "gold: []"), "wsd.test[1]: missing or bad 'gold'"),
    (("      train:\n        - {text: \"He sat on the bank.\", word: bank, sense: bank.n.01}\n",
      "      train: []\n"), "field 'wsd.train': must be a non-empty list"),
    (("senses: [bank.n.01, bank.n.02]", "senses: [bank.n.01, bank.n.01]"),
     "sense 'bank.n.01' is listed twice"),
    (("lemma: bank", "lemma: bank\n      k: 0"), "field 'wsd.k': must be a whole number"),
    (("lemma: bank", "lemma: bank\n      sense: 1"), "unknown key 'sense'"),
    (("word: bank, sense", "word: bonk, sense"), "s.yaml:10: test 'bank.n', wsd.train[1], "
     "field 'word'"),
])
def test_validation_errors_name_file_line_test_and_field(change, expected):
    assert expected in problems(GOOD.replace(*change))


def test_test_context_ids_are_unique_in_the_suite():
    twice = GOOD + GOOD.split("tests:\n")[1].replace("id: bank.n", "id: bank.n2")
    assert "duplicate test context id 'x' (first on line 12)" in problems(twice)


# -- runs, reports and the scikit-learn reference ------------------------------------------------
@pytest.mark.parametrize("k", [None, 3])
def test_f1_equals_scikit_learn_on_the_same_vectors(tmp_path, registry, k):
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite(k))
    results = harness.run(path, "fake", registry=registry, cache=False, progress=False)
    mine = results.measure_summaries["wsd"][0]
    correct, total = reference_f1(path, "fake", registry, k)
    assert mine.total == total == mine.answered and mine.ties == 0
    assert mine.score == pytest.approx(correct / total)  # all answered: P = R = F1
    assert 0 < correct < total  # not a trivial agreement


def test_cli_run_writes_every_report(tmp_path, fake_only, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite())
    out = tmp_path / "out"
    assert main(["run", str(path), "-b", "fake", "-o", str(out),
                 "--min-f1", "1.01"]) == 1
    data = json.loads((out / "results.json").read_text())
    summary = data["measures"]["wsd"]["summary"][0]
    assert summary["kind"] == "wsd" and summary["total"] == 18
    assert set(summary["per_pos"]) == {"n", "v", "a"} and summary["first_sense_f1"] == 0.5
    assert summary["mfs_f1"] == 0.5  # two senses of 4 training contexts each: the first
    rows = data["measures"]["wsd"]["rows"]
    assert len(rows) == 18 and {"predicted", "gold", "tie", "margin"} <= set(rows[0])
    assert "Word-sense disambiguation" in (out / "report.md").read_text()
    assert "Word-sense disambiguation" in (out / "report.html").read_text()
    cases = list(ET.parse(out / "junit.xml").getroot().iter("testcase"))
    assert [c.get("name") for c in cases] == ["wsd: F1"]  # one per backend and suite
    assert "below the minimum 1.01" in cases[0].find("failure").get("message")
    printed = capsys.readouterr().out
    assert "MFS F1" in printed and "F1 per part of speech" in printed
    assert "F1 below" in printed or "wsd" in printed.split("reports:")[0]
    reloaded = Results.from_dict(data, [WSD])
    assert reloaded.measure_summaries["wsd"][0].per_pos == summary["per_pos"]
    assert reloaded.measure_rows["wsd"][0].gold == rows[0]["gold"]


def test_the_terminal_shows_twenty_rows_wrong_ones_first(tmp_path, fake_only, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite(n_test=6))
    assert main(["run", str(path), "-b", "fake", "-o", str(tmp_path / "out")]) == 0
    rows = json.loads((tmp_path / "out" / "results.json").read_text())["measures"]["wsd"]["rows"]
    printed = capsys.readouterr().out
    shown = [line for line in printed.splitlines()
             if line.startswith("fake ") and ("correct" in line or "WRONG" in line)]
    wrong = sum(not r["correct"] for r in rows)
    assert len(rows) == 36 and len(shown) == 20
    assert sum("WRONG" in line for line in shown) == min(wrong, 20)
    assert "(20 of 36 rows shown, those that did not pass first" in printed


def test_compare_and_the_leaderboard_read_wsd(tmp_path, fake_only, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite(n_test=6))
    out = tmp_path / "out"
    assert main(["run", str(path), "-b", "fake", "-b", "fake:seed=3", "-o", str(out),
                 "--store", str(tmp_path / "store.sqlite")]) == 0
    capsys.readouterr()
    assert main(["compare", str(out / "results.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    text = json.dumps(data)
    assert "wsd" in text and "p_value" in text
    board = tmp_path / "board"
    assert main(["leaderboard", str(out), "-o", str(board), "--json"]) == 0
    assert "tiny-wsd: F1" in (board / "leaderboard.md").read_text()


def test_the_sweep_counts_wsd_test_contexts_and_shows_f1(tmp_path, registry):
    from harness.reports.studies.sweep import sweep_json, sweep_text
    from harness.studies.layer_sweep import sweep_rows

    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite())
    results = harness.run(path, "fake", registry=registry, cache=False, progress=False)
    [row] = sweep_rows(results, [("fake", "layers", "3", "fake")])
    summary = results.measure_summaries["wsd"][0]
    assert (row.passed, row.total) == (summary.passed, 18) and row.f1 == summary.score
    assert row.accuracy == pytest.approx(row.f1)  # every context answered
    assert "F1 (wsd)" in sweep_text([row]) and sweep_json([row])[0]["f1"] == row.f1


def reference_f1(path, backend, registry=None, k=None):
    """The F1 (= accuracy: every context answered) of scikit-learn's classifiers on
    `harness.embed`'s vectors of the suite's contexts, one lemma at a time."""
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid

    correct = total = 0
    for data in (t.data for t in harness.load_suite(path).tests):
        kw = {"cache": False, "registry": registry}
        train = harness.embed(backend, [c.context.item for c in data.train], **kw)
        test_v = harness.embed(backend, [c.context.item for c in data.test], **kw)
        unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
        labels = [c.senses[0] for c in data.train]
        if k is None:  # NearestCentroid's centroids (the means); the nearest by cosine to them
            centroids = NearestCentroid().fit(unit(train), labels)
            c = unit(centroids.centroids_)
            predicted = centroids.classes_[np.argmax(unit(test_v) @ c.T, axis=1)]
        else:
            knn = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute")
            predicted = knn.fit(train, labels).predict(test_v)
        correct += sum(p in c.senses for p, c in zip(predicted, data.test))
        total += len(data.test)
    return correct, total


@pytest.mark.slow
@pytest.mark.real_model
@pytest.mark.parametrize("k", [None, 3])
def test_minilm_f1_equals_scikit_learn(tmp_path, k):
    """The done-when of issue 30: on minilm, a WordNet-style suite's F1 is scikit-learn's."""
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite(k))
    results = harness.run(path, "minilm", cache=False, progress=False)
    mine = results.measure_summaries["wsd"][0]
    correct, total = reference_f1(path, "minilm", k=k)
    assert mine.total == mine.answered == total
    assert mine.score == pytest.approx(correct / total)


def test_a_context_right_in_the_baseline_and_wrong_now_is_a_regression(tmp_path, fake_only,
                                                                       capsys):
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite())
    assert main(["run", str(path), "-b", "fake", "-o", str(tmp_path / "a"), "--no-store"]) == 0
    data = json.loads((tmp_path / "a" / "results.json").read_text())
    right = next(r for r in data["measures"]["wsd"]["rows"] if r["correct"])
    wrong = next(r for r in data["measures"]["wsd"]["rows"] if not r["correct"])
    wrong.update(correct=True, predicted=wrong["gold"][0])  # the baseline had it right
    (tmp_path / "base.json").write_text(json.dumps(data))
    assert main(["run", str(path), "-b", "fake", "-o", str(tmp_path / "b"), "--no-store",
                 "--baseline", str(tmp_path / "base.json")]) == 1
    printed = capsys.readouterr().out
    assert "REGRESSION" in printed and wrong["item"] in printed and right["item"] not in \
        printed.split("REGRESSION", 1)[1].split("\n")[0]


def test_measures_csv_lists_the_gold_senses_with_spaces(tmp_path, fake_only):
    import csv

    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite().replace("gold: [bank.n.01]}", "gold: [bank.n.01, bank.n.02]}"))
    assert main(["run", str(path), "-b", "fake", "-o", str(tmp_path / "o"), "--no-store"]) == 0
    with open(tmp_path / "o" / "measures.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["kind"] == "wsd" and rows[0]["gold"] == "bank.n.01 bank.n.02"


def test_contexts_without_vectors_are_unanswered(tmp_path, registry):
    path = tmp_path / "s.yaml"
    path.write_text(wsd_suite())
    results = harness.run(path, "fake:missing=bank", registry=registry, cache=False,
                          progress=False)
    rows = results.measure_rows["wsd"]
    bank = [r for r in rows if r.lemma == "bank"]
    assert bank and all(not r.answered and r.predicted is None and r.error for r in bank)
    s = results.measure_summaries["wsd"][0]
    assert (s.answered, s.total, s.unscored) == (12, 18, 6)
    assert s.recall == pytest.approx(s.passed / 18) and s.precision == pytest.approx(
        s.passed / 12)
    assert s.mfs_f1 == 0.5  # the baselines answer every context


def test_a_schema_4_suite_mixes_wsd_and_orderings(tmp_path, fake_only):
    ordering = """\
  - id: order
    contexts:
      a: {text: "A cat sat.", word: cat}
      b: {text: "A dog sat.", word: dog}
      c: {text: "A car sat.", word: car}
    expect: ["a: b > c"]
"""
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + ordering)
    suite = parse(GOOD + ordering)
    assert [t.kind for t in suite.tests] == ["wsd", ""]
    assert main(["run", str(path), "-b", "fake", "-o", str(tmp_path / "o"), "--no-store"]) == 0
    data = json.loads((tmp_path / "o" / "results.json").read_text())
    assert data["summary"][0]["total"] == 1 and data["measures"]["wsd"]["summary"][0]["total"]


def test_the_board_scores_wsd_by_f1_and_tests_the_items_both_answered():
    from harness.measures.ranking import BinaryItems
    from harness.measures.stats import mcnemar_exact

    a = {1: True, 2: True, 3: None, 4: False, 5: True}  # P = 3/4, R = 3/5
    b = {1: False, 2: True, 3: True, 4: None, 5: False}  # P = 2/4, R = 2/5
    data = BinaryItems([a, b])
    f1_a, f1_b = data.scores()
    assert f1_a == pytest.approx(score([("x" if v else "y", ["x"]) if v is not None
                                        else (None, ["x"]) for v in a.values()]).f1)
    assert f1_b == pytest.approx(2 * (2 / 4) * (2 / 5) / (2 / 4 + 2 / 5))
    # items both answered: 1, 2, 5; only A right on 1 and 5
    assert data.test(0, 1) == (mcnemar_exact(2, 0), 1)
    resampled = data.resampled(50, 0)
    assert np.all((resampled >= 0) & (resampled <= 1))
    assert BinaryItems([{1: True, 2: False}]).scores() == [0.5]  # every item answered
