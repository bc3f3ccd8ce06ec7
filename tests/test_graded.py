"""Graded tests (schema 3): the suite format and its validation, scoring against scipy on
cosines computed independently, results.json, gates, compare and every report."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import harness
from harness.cli import main
from harness.errors import SuiteError
from harness.pipeline.runner import run_suites
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY

scipy_stats = pytest.importorskip("scipy.stats")

TOLERANCE = 1e-9  # vectors are float32; the statistics of the same cosines agree to rounding

GRADED = """\
schema: 3
suite: graded
tests:
  - id: words
    scale: [0, 10]
    pairs:
      - {a: {word: love}, b: {word: sex}, score: 6.77}
      - {a: {word: tiger}, b: {word: cat}, score: 7.35}
      - {a: {word: book}, b: {word: paper}, score: 7.46}
      - {a: {word: king}, b: {word: cabbage}, score: 0.23}
      - {a: {word: money}, b: {word: cash}, score: 9.15}
  - id: in-context
    contexts:
      bank1: {text: "He sat on the bank of the river.", word: bank}
      bank2: {text: "The bank raised its rates.", word: bank}
    pairs:
      - {a: bank1, b: {text: "The river bank was muddy.", word: bank}, score: 9.0}
      - {a: bank1, b: bank2, score: 1.5}
      - {a: bank2, b: {text: "She put money in the bank.", word: bank}, score: 8.5}
      - {a: bank2, b: {text: "The boat drifted to the bank.", word: bank}, score: 2.0}
  - id: sentences
    pairs:
      - {a: {text: "A man plays a guitar."}, b: {text: "A man plays music."}, score: 3.8}
      - {a: {text: "A woman slices an onion."}, b: {text: "A man plays a guitar."}, score: 0.2}
      - {a: {text: "A dog runs in the park."}, b: {text: "A puppy runs on grass."}, score: 3.5}
      - {a: {text: "The cat sleeps."}, b: {text: "Stocks fell today."}, score: 0.0}
  - id: types
    pairs:
      - {a: {word: bank, texts: ["He sat on the bank.", "The bank, the bank!"]}, b: {word: money}, score: 8.5}
      - {a: {word: bank, texts: ["He sat on the bank.", "The bank, the bank!"]}, b: {word: river}, score: 7.0}
      - {a: {word: mouse, texts: ["A mouse ran.", "Click the mouse."]}, b: {word: cheese}, score: 5.0}
      - {a: {word: mouse, texts: ["A mouse ran.", "Click the mouse."]}, b: {word: rates}, score: 0.5}
"""  # noqa: E501


@pytest.fixture
def graded(write_suite):
    return write_suite(GRADED, "graded.yaml")


# -- the format ------------------------------------------------------------------------------


def test_every_kind_of_side_is_read(graded):
    suite = load_suite(graded)
    words, in_context, sentences, types = suite.tests
    assert [t.graded for t in suite.tests] == [True] * 4 and words.scale == (0.0, 10.0)
    assert (words.pairs[0].a.kind, words.pairs[0].a.items) == (
        "word", (harness.Item("love", (0, 4)),))
    first = in_context.pairs[0]
    assert first.a.label == "bank1" and first.a.kind == "context"
    assert first.b.items[0].word == "bank" and first.b.kind == "context"
    assert sentences.pairs[0].a.items == (harness.Item("A man plays a guitar.", None),)
    bank = types.pairs[0].a
    assert bank.kind == "type" and [i.word for i in bank.items] == ["bank", "bank"]
    assert bank.items[1].span == (4, 8)  # the first whole-word occurrence
    assert suite.n_pairs == 17 and suite.graded_tests == 4 and suite.n_expectations == 0


BAD = {
    "schema 1": ("suite: s\ntests:\n  - id: t\n    pairs: []\n", ["need schema: 3"]),
    "both kinds": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    contexts: {a: {text: x}}\n"
                   "    expect: ['a: a > a']\n    pairs: []\n", ["not both"]),
    "too few": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    pairs:\n"
                "      - {a: {word: a}, b: {word: b}, score: 1}\n", ["at least 3 pairs"]),
    "score": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    pairs:\n"
              "      - {a: {word: a}, b: {word: b}, score: .nan}\n"
              "      - {a: {word: a}, b: {word: b}, score: 1.0e400}\n"
              "      - {a: {word: a}, b: {word: b}, score: lots}\n",
              [":6: test 't', pair #1, field 'score'", ":7: test 't', pair #2",
               ":8: test 't', pair #3", "not a finite number"]),
    "outside the scale": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    scale: [0, 5]\n"
                          "    pairs:\n" + "      - {a: {word: a}, b: {word: b}, score: 6}\n" * 3,
                          ["6 is outside the test's scale [0, 5]"]),
    "bad scale": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    scale: [5, 0]\n    pairs:\n"
                  + "      - {a: {word: a}, b: {word: b}, score: 1}\n" * 3,
                  ["field 'scale'", "low < high"]),
    "unknown label": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    contexts:\n"
                      "      bank1: {text: 'a bank', word: bank}\n    pairs:\n"
                      + "      - {a: bnak1, b: {word: b}, score: 1}\n" * 3,
                      ["unknown context label 'bnak1'", "did you mean 'bank1'"]),
    "word not in text": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    pairs:\n"
                         + "      - {a: {text: 'a river', word: bank}, b: {word: b}, score: 1}\n"
                         * 3, ["field 'a'", "'bank' does not occur"]),
    "type text lacks the word": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    pairs:\n"
                                 + "      - {a: {word: bank, texts: ['a bank', 'a shore']}, "
                                 "b: {word: b}, score: 1}\n" * 3,
                                 ["field 'a', text #2", "'bank' does not occur"]),
    "alone with a span": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    pairs:\n"
                          + "      - {a: {word: bank, span: [0, 4]}, b: {word: b}, score: 1}\n"
                          * 3, ["span needs a text"]),
    "missing side": ("schema: 3\nsuite: s\ntests:\n  - id: t\n    pairs:\n"
                     + "      - {a: {word: a}, score: 1}\n" * 3, ["missing key 'b'"]),
}


@pytest.mark.parametrize("text, messages", BAD.values(), ids=BAD.keys())
def test_a_bad_graded_test_names_file_line_and_fix(write_suite, text, messages):
    path = write_suite(text)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    assert str(path) in message
    for part in messages:
        assert part in message


def test_ordering_suites_keep_their_fingerprint_and_items():
    suite = load_suite(POLYSEMY)
    assert suite.fingerprint() == "36292109640e269a"  # as in 0.2, before graded tests
    assert suite.graded_tests == 0 and suite.ordering_tests == 4


# -- scoring ---------------------------------------------------------------------------------


def cosines_by_hand(backend, suite):
    """Each pair's cosine from the backend's own vectors, a type side the mean of its texts'."""
    out = {}
    for test in suite.tests:
        values = []
        for pair in test.pairs:
            sides = [np.mean([backend.vector(i) for i in side.items], axis=0)
                     for side in (pair.a, pair.b)]
            a, b = (np.asarray(s, dtype=np.float32).astype(np.float64) for s in sides)
            values.append(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
        out[test.id] = values
    return out


def test_correlations_are_scipys_on_the_cosines_computed_by_hand(graded):
    suite = load_suite(graded)
    backend = FakeBackend("fake", {"dim": 16})
    results = run_suites([suite], [backend], reference=False)
    by_hand = cosines_by_hand(FakeBackend("fake", {"dim": 16}), suite)
    for row in results.correlation_rows:
        test = next(t for t in suite.tests if t.id == row.test)
        cosines, ratings = by_hand[row.test], [p.score for p in test.pairs]
        # float32 type-vector means differ from the runner's in the last bits only
        assert [p.cosine for p in results.pair_rows if p.test == row.test] == pytest.approx(
            cosines, abs=1e-6)
        assert row.spearman == pytest.approx(scipy_stats.spearmanr(cosines, ratings).statistic,
                                             abs=1e-6)
        assert row.pearson == pytest.approx(scipy_stats.pearsonr(cosines, ratings).statistic,
                                            abs=1e-6)
        low, high = scipy_stats.pearsonr(cosines, ratings).confidence_interval()
        assert row.pearson_ci == pytest.approx([low, high], abs=1e-6)
        assert row.pairs == row.scored == len(test.pairs) and row.unscored == 0


def test_a_pair_without_a_vector_is_unscored_and_left_out(graded):
    suite = load_suite(graded)
    results = run_suites([suite], [FakeBackend("fake", {"missing": "cabbage,cash"})],
                         reference=False)
    words = next(c for c in results.correlation_rows if c.test == "words")
    assert (words.pairs, words.scored, words.unscored) == (5, 3, 2)
    gone = [p for p in results.pair_rows if p.test == "words" and p.cosine is None]
    assert [p.b for p in gone] == ["cabbage", "cash"]
    assert "cabbage: 'cabbage' is in the fake backend's missing list" in gone[0].error
    kept = [p for p in results.pair_rows if p.test == "words" and p.cosine is not None]
    assert words.spearman == pytest.approx(scipy_stats.spearmanr(
        [p.cosine for p in kept], [p.score for p in kept]).statistic, abs=TOLERANCE)
    assert words.spearman_ci is None  # three pairs: no standard error


def test_fewer_than_three_scored_pairs_give_no_correlation_and_say_why(graded):
    results = run_suites([load_suite(graded)],
                         [FakeBackend("fake", {"missing": "cabbage,cash,paper"})],
                         reference=False)
    words = next(c for c in results.correlation_rows if c.test == "words")
    assert words.spearman is None and words.pearson is None and words.scored == 2
    assert "2 of 5 pairs have both vectors; a correlation needs at least 3" in words.error


def test_results_json_and_the_summary_have_the_correlations(graded, tmp_path):
    results = harness.run([graded, POLYSEMY], [FakeBackend("fake")], cache=False)
    data = results.to_dict()
    assert {"correlations", "pair_results"} <= set(data)
    assert len(data["correlations"]) == 4 and len(data["pair_results"]) == 17
    assert set(data["correlations"][0]) >= {"backend", "suite", "test", "pairs", "scored",
                                            "unscored", "spearman", "spearman_ci", "pearson",
                                            "pearson_ci"}
    assert set(data["pair_results"][0]) >= {"backend", "suite", "test", "a", "b", "score",
                                            "cosine"}
    graded_row, ordering_row = data["summary"]
    rhos = [c["spearman"] for c in data["correlations"]]
    assert graded_row["graded_tests"] == 4
    assert graded_row["median_spearman"] == pytest.approx(float(np.median(rhos)))
    assert (graded_row["total"], graded_row["tests_total"]) == (0, 0)
    assert ordering_row["graded_tests"] == 0 and ordering_row["median_spearman"] is None
    again = harness.results.model.Results.from_dict(json.loads(json.dumps(data)))
    assert again.correlation_rows == results.correlation_rows
    frame = results.correlations
    assert list(frame["test"]) == ["words", "in-context", "sentences", "types"]


def test_an_ordering_run_has_empty_graded_fields_only():
    data = harness.run(POLYSEMY, [FakeBackend("fake")], cache=False).to_dict()
    assert data["correlations"] == [] and data["pair_results"] == []
    assert all(s["graded_tests"] == 0 and s["median_spearman"] is None for s in data["summary"])


def test_a_backend_that_scores_no_pair_fails(write_suite):
    path = write_suite(GRADED.split("  - id: in-context")[0])
    results = run_suites([load_suite(path)], [FakeBackend(
        "f", {"missing": "love,tiger,book,king,money"})], reference=False)
    assert results.backends["f"].status == "error"
    assert "every expectation and pair lacks a vector" in results.backends["f"].error


# -- the CLI: gates, reports, compare ------------------------------------------------------------


def test_min_spearman_gates_every_graded_test(graded, tmp_path, fake_only, capsys):
    args = ["run", str(graded), "-b", "fake", "--no-cache", "-o", str(tmp_path / "r")]
    assert main([*args, "--min-spearman", "-1"]) == 0
    assert main([*args, "--min-spearman", "0.99"]) == 1
    out = capsys.readouterr().out
    assert "BELOW MINIMUM fake / graded / words: Spearman's rho" in out
    assert "gates (min-spearman 0.99): FAILED" in out
    suites = ET.parse(tmp_path / "r" / "junit.xml").getroot()
    cases = {c.get("name"): c for c in suites.iter("testcase")}
    assert cases["graded: words"].find("failure") is not None
    assert main([*args, "--min-spearman", "2"]) == 2  # out of range: usage


def test_min_spearman_on_a_run_without_graded_tests_compares_nothing_and_fails(
        tmp_path, fake_only, capsys):
    assert main(["run", str(POLYSEMY), "-b", "fake", "--no-cache", "-o", str(tmp_path / "r"),
                 "--min-spearman", "0"]) == 1
    assert "no graded test, so no Spearman's rho was compared" in capsys.readouterr().out


def test_a_rho_that_dropped_past_the_tolerance_is_a_regression(graded, tmp_path, fake_only,
                                                              capsys):
    base = tmp_path / "base"
    assert main(["run", str(graded), "-b", "fake", "--no-cache", "-o", str(base)]) == 0
    data = json.loads((base / "results.json").read_text())
    words = next(c for c in data["correlations"] if c["test"] == "words")
    words["spearman"] += 0.05  # the baseline was better
    (base / "results.json").write_text(json.dumps(data))
    args = ["run", str(graded), "-b", "fake", "--no-cache", "-o", str(tmp_path / "now"),
            "--baseline", str(base / "results.json")]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "REGRESSION fake / graded / words: Spearman's rho" in out and "0.0500 below" in out
    assert main([*args, "--spearman-tolerance", "0.06"]) == 0


def test_every_report_shows_the_correlations(graded, tmp_path, fake_only):
    out = tmp_path / "r"
    assert main(["run", str(graded), "-b", "fake", "--no-cache", "-o", str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    rho = next(c for c in data["correlations"] if c["test"] == "words")["spearman"]
    assert "## Graded tests" in (out / "report.md").read_text()
    assert f"{rho:.3f}" in (out / "report.md").read_text()
    with open(out / "correlations.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert float(rows[0]["spearman"]) == pytest.approx(rho)
    assert {"spearman_ci_low", "spearman_ci_high"} <= set(rows[0])
    with open(out / "pairs.csv", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 17
    page = (out / "report.html").read_text()
    assert '<table id="correlations">' in page and "human rating" in page
    assert page.count("<circle") >= 17  # a dot per pair in the scatters
    cases = [c.get("name") for c in ET.parse(out / "junit.xml").getroot().iter("testcase")]
    assert [c for c in cases if c.startswith("graded: ")] == [
        "graded: words", "graded: in-context", "graded: sentences", "graded: types"]


def test_an_ordering_run_writes_no_graded_files(tmp_path, fake_only):
    out = tmp_path / "r"
    assert main(["run", str(POLYSEMY), "-b", "fake", "--no-cache", "-o", str(out)]) == 0
    assert not (out / "correlations.csv").exists() and not (out / "pairs.csv").exists()
    assert "Graded tests" not in (out / "report.md").read_text()


def test_compare_gives_each_rho_and_a_bootstrap_interval_of_the_difference(
        graded, tmp_path, fake_only, capsys):
    out = tmp_path / "r"
    assert main(["run", str(graded), "-b", "fake", "-b", "fake:seed=3", "--no-cache", "-o",
                 str(out)]) == 0
    assert main(["compare", str(out / "results.json"), "--markdown",
                 str(tmp_path / "c.md")]) == 0
    text = capsys.readouterr().out
    assert "graded / words" in text and "95% CI (bootstrap)" in text
    from harness.measures.stats import bootstrap_difference
    from harness.results.compare import compare_graded

    rows = {r.test: r for r in compare_graded([out / "results.json"])}
    data = json.loads((out / "results.json").read_text())
    pairs = [p for p in data["pair_results"] if p["test"] == "sentences"]
    a = [p["cosine"] for p in pairs if p["backend"] == "fake"]
    b = [p["cosine"] for p in pairs if p["backend"] == "fake:seed=3"]
    ratings = [p["score"] for p in pairs if p["backend"] == "fake"]
    assert rows["sentences"].difference_ci == bootstrap_difference(a, b, ratings)
    assert rows["sentences"].rho_a == pytest.approx(scipy_stats.spearmanr(a, ratings).statistic)
    assert "## Graded tests compared" in (tmp_path / "c.md").read_text()


def test_validate_counts_graded_tests(graded, capsys):
    assert main(["validate", str(graded)]) == 0
    assert "4 tests (4 graded, 17 pairs), 0 expectations" in capsys.readouterr().out


def test_max_unscored_counts_graded_pairs(graded, tmp_path, fake_only, capsys):
    args = ["run", str(graded), "-b", "fake:missing=cabbage,cash", "--no-cache", "-o",
            str(tmp_path / "r")]
    assert main([*args, "--max-unscored", "0.2"]) == 0  # 2 of 17 pairs
    assert main([*args, "--max-unscored", "0.1"]) == 1
    assert ("2 of 17 graded pairs unscored (11.8%)"
            in capsys.readouterr().out)


def test_a_graded_test_gone_since_the_baseline_is_named(graded, tmp_path, fake_only, capsys):
    base = tmp_path / "base"
    assert main(["run", str(graded), "-b", "fake", "--no-cache", "-o", str(base)]) == 0
    renamed = graded.with_name("renamed.yaml")
    renamed.write_text(graded.read_text().replace("id: words", "id: words-alone"))
    assert main(["run", str(renamed), "-b", "fake", "--no-cache", "-o", str(tmp_path / "now"),
                 "--baseline", str(base / "results.json")]) == 0
    out = capsys.readouterr().out
    assert ("1 graded test with a Spearman's rho in the baseline, with no counterpart now "
            "(renamed or removed?): fake / graded / words") in out


def test_a_type_vector_is_the_mean_of_the_post_processed_vectors(graded):
    """With postprocess, a type side is the mean of its texts' centred vectors, and its cosine
    is taken after centring (every post-processing is affine, so the mean may come before or
    after it; the centring may not be left out)."""
    from harness.pipeline.calibration import reference

    suite = load_suite(graded)
    backend = FakeBackend("fake", {"postprocess": "center"})
    results = run_suites([suite], [backend], reference=False)
    sample = list(reference()[0])
    raw = FakeBackend("fake").embed(sample).vectors.astype(np.float64)
    mean = np.nanmean(raw, axis=0)  # the fit of `center`, by its definition
    pair = next(t for t in suite.tests if t.id == "types").pairs[0]

    def centred(item):
        return FakeBackend("fake").vector(item).astype(np.float32).astype(np.float64) - mean

    a = np.mean([centred(i) for i in pair.a.items], axis=0)
    b = centred(pair.b.items[0])
    want = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    got = next(p.cosine for p in results.pair_rows if p.test == "types")
    assert got == pytest.approx(want, abs=1e-5)  # float32 vectors, float64 sums
    uncentred = FakeBackend("fake")
    plain = run_suites([suite], [uncentred], reference=False)
    assert next(p.cosine for p in plain.pair_rows if p.test == "types") != pytest.approx(
        want, abs=1e-3)  # the check tells centred from raw
