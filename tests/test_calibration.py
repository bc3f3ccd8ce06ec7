"""The baseline in every run, margins in its standard deviations, and `postprocess` for every
backend, each checked against an independent computation from `harness.embed` of
`harness.reference_contexts()` (scipy's pdist; numpy's SVD).

Tolerances: the fake backend is exact up to float64 rounding (1e-9). A model's vectors come in
batches of other sizes in a run than in `harness.embed`, which moves a float32 vector by ~1e-7:
baselines agree to 1e-5, post-processed vectors (of order 1) to 1e-4."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import harness
from harness.cli import main
from harness.pipeline.runner import run_suites
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY


def independent_baseline(vectors: np.ndarray, items) -> tuple[float, float]:
    """The textbook: the cosine of every pair of items whose target words differ."""
    from scipy.spatial.distance import pdist

    keep = np.isfinite(vectors).all(axis=1)
    words = [item.word.lower() for item, k in zip(items, keep) if k]
    similarity = 1 - pdist(vectors[keep].astype(np.float64), "cosine")
    differ = np.array([a != b for a, b in itertools.combinations(words, 2)])
    return float(similarity[differ].mean()), float(similarity[differ].std(ddof=0))


def postprocessed(kind: str, reference: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """`kind` fitted on `reference` and applied to `vectors`, by the formulas of the issue."""
    reference = reference[np.isfinite(reference).all(axis=1)].astype(np.float64)
    mean = reference.mean(axis=0)
    if kind == "center":
        return vectors - mean
    if kind == "standardize":
        return (vectors - mean) / reference.std(axis=0, ddof=0)
    count = int(kind.split(":")[1])
    _, _, components = np.linalg.svd(reference - mean, full_matrices=False)
    top = components[:count]
    centred = vectors - mean
    return centred - centred @ top.T @ top


def assert_similarities(by_test: dict, vectors: np.ndarray, items, atol: float) -> None:
    """Each polysemy test's recorded matrix (rounded to 6 decimals) against the cosines of
    `vectors` (one row per item of `items`)."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    where = {item: i for i, item in enumerate(items)}
    for test in load_suite(POLYSEMY).tests:
        rows = [where[c.item] for c in test.contexts.values()]
        np.testing.assert_allclose(np.array(by_test[test.id]["matrix"], dtype=float),
                                   unit[rows] @ unit[rows].T, atol=atol)


def suite_contexts():
    suite = load_suite(POLYSEMY)
    return list(dict.fromkeys(c.item for t in suite.tests for c in t.contexts.values()))


def test_reference_contexts_are_items_whose_word_is_the_target():
    items = harness.reference_contexts()
    assert len(items) == 2000 and all(isinstance(i, harness.Item) for i in items)
    assert all(i.word and i.word.strip() == i.word for i in items)


def test_a_run_records_the_baseline_an_independent_computation_gives():
    fake = FakeBackend("fake", {"dim": 8})
    results = run_suites([load_suite(POLYSEMY)], [fake])
    geometry = results.backends["fake"].calibration
    vectors = harness.embed(fake, harness.reference_contexts())
    mean, sd = independent_baseline(vectors, harness.reference_contexts())
    assert geometry["baseline_similarity"] == pytest.approx(mean, abs=1e-9)
    assert geometry["baseline_sd"] == pytest.approx(sd, abs=1e-9)
    assert geometry["reference"]["name"] == "wordnet-3.0-gloss-examples"
    assert geometry["reference"]["size"] == 2000
    for row in results.rows:
        assert row.margin_sd == pytest.approx(row.margin / sd, rel=1e-9)
        assert row.weak == (row.passed and row.margin_sd < 0.5)


def test_weak_passes_are_counted_and_the_threshold_is_an_option():
    fake = FakeBackend("fake", {"dim": 8})
    suite = load_suite(POLYSEMY)
    strict = run_suites([suite], [fake], weak_below=1e9)
    lenient = run_suites([suite], [fake], weak_below=-1e9)
    passed = sum(r.passed for r in strict.rows)
    assert passed > 0
    assert strict.summary_rows[0].weak == passed and lenient.summary_rows[0].weak == 0
    assert strict.summary_rows[0].passed == lenient.summary_rows[0].passed == passed
    in_sd = sorted(r.margin_sd for r in strict.rows)
    assert strict.summary_rows[0].median_margin_sd == pytest.approx(
        (in_sd[3] + in_sd[4]) / 2, abs=1e-12)


def test_the_cli_flags_weak_passes_in_every_report(tmp_path, fake_only, capsys):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "--weak-below", "1e9", "-o",
                 str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    assert data["weak_below"] == 1e9
    passed = [r for r in data["results"] if r["passed"]]
    assert passed and all(r["weak"] for r in passed)
    assert all(r["margin_sd"] is not None for r in data["results"])
    assert "baseline_sd" in data["backends"]["fake"]["calibration"]
    assert "pass (weak)" in (out / "report.html").read_text()
    assert "pass (weak)" in (out / "report.md").read_text()
    printed = capsys.readouterr().out
    assert f"{len(passed)}  " in printed.split("\n")[2] and "±" in printed


def test_no_reference_leaves_margins_raw(tmp_path, fake_only):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "--no-reference", "-o", str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    assert "calibration" not in data["backends"]["fake"]
    assert "geometry" not in data["backends"]["fake"]
    assert all(r["margin_sd"] is None and not r["weak"] for r in data["results"])


def test_no_baseline_removed_in_0_4_is_refused(fake_only, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(POLYSEMY), "-b", "fake", "--no-baseline"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --no-baseline" in capsys.readouterr().err


def test_the_calibration_is_written_under_its_new_key_and_old_files_still_read():
    from harness.pipeline.results import Results

    data = harness_run_dict()
    record = data["backends"]["fake"]
    assert "geometry" not in record and "baseline_sd" in record["calibration"]
    record["geometry"] = record.pop("calibration")  # a results.json of 0.2
    assert Results.from_dict(data).backends["fake"].calibration == record["geometry"]


def test_the_api_refuses_baseline_the_name_of_reference_before_0_3():
    import harness

    with pytest.raises(TypeError, match="baseline"):
        harness.run(POLYSEMY, [FakeBackend("fake")], cache=False, baseline=False)


def harness_run_dict() -> dict:
    import harness

    return harness.run(POLYSEMY, [FakeBackend("fake")], cache=False).to_dict()


def test_the_baseline_rides_along_once_then_comes_from_the_cache():
    from harness.pipeline.embedding_cache import EmbeddingCache

    suite = load_suite(POLYSEMY)
    cache = EmbeddingCache()
    cold_backend = FakeBackend("fake", {"dim": 8, "seed": 11})
    cold = run_suites([suite], [cold_backend], cache=cache)
    embedded = [item for call in cold_backend.calls for item in call]
    assert set(harness.reference_contexts()) <= set(embedded)
    warm_backend = FakeBackend("fake", {"dim": 8, "seed": 11})
    warm = run_suites([suite], [warm_backend], cache=cache)
    assert warm_backend.calls == []
    assert warm.backends["fake"].calibration == cold.backends["fake"].calibration
    assert [r.margin_sd for r in warm.rows] == [r.margin_sd for r in cold.rows]
    assert warm.similarities == cold.similarities


def test_postprocessing_shares_the_raw_vectors_in_the_cache():
    from harness.pipeline.embedding_cache import EmbeddingCache

    suite = load_suite(POLYSEMY)
    cache = EmbeddingCache()
    run_suites([suite], [FakeBackend("fake", {"dim": 8, "seed": 12})], cache=cache)
    standardized = FakeBackend("fake", {"dim": 8, "seed": 12, "postprocess": "standardize"})
    run_suites([suite], [standardized], cache=cache)
    assert standardized.calls == []  # the same raw vectors: only the transform is new
    again = run_suites([suite], [FakeBackend("fake", {"dim": 8, "seed": 12})], cache=cache)
    other = run_suites([suite], [FakeBackend("fake", {"dim": 8, "seed": 12,
                                                      "postprocess": "standardize"})],
                       cache=cache)
    # each has its own calibration: a standardized baseline is not the raw one
    assert (again.backends["fake"].calibration["baseline_sd"]
            != other.backends["fake"].calibration["baseline_sd"])
    plain = FakeBackend("fake", {"dim": 8, "seed": 12})
    assert standardized.fingerprint() != plain.fingerprint()
    assert standardized.fingerprint(raw=True) == plain.fingerprint(raw=True)
    assert plain.fingerprint() == FakeBackend("fake", {"dim": 8, "seed": 12,
                                                       "postprocess": "none"}).fingerprint()


@pytest.mark.parametrize("kind", ["center", "standardize", "abtt:3"])
def test_postprocess_equals_the_formula_on_the_fake_backend(kind):
    items = suite_contexts()
    plain = FakeBackend("fake", {"dim": 8})
    reference = harness.embed(plain, harness.reference_contexts())
    expected = postprocessed(kind, reference, harness.embed(plain, items))
    got = harness.embed(FakeBackend("fake", {"dim": 8, "postprocess": kind}), items)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    results = run_suites([load_suite(POLYSEMY)], [FakeBackend("f", {"dim": 8,
                                                                    "postprocess": kind})])
    assert_similarities(results.similarities["f"]["polysemy"], expected, items, atol=1e-6)


@pytest.mark.parametrize("value, message", [
    ("whiten", "use none, center, standardize or abtt:D"),
    ("abtt:0", "use none, center, standardize or abtt:D"),
    ("abtt:x", "use none, center, standardize or abtt:D"),
])
def test_a_bad_postprocess_value_says_what_to_use(value, message):
    from harness.errors import OptionError

    with pytest.raises(OptionError, match=message):
        FakeBackend("fake", {"postprocess": value})


def test_abtt_of_every_dimension_is_an_error_for_that_backend_only():
    results = run_suites([load_suite(POLYSEMY)], [
        FakeBackend("too-many", {"dim": 8, "postprocess": "abtt:8"}),
        FakeBackend("fine", {"dim": 8, "postprocess": "abtt:2"})])
    assert results.backends["too-many"].status == "error"
    assert "remove fewer components" in results.backends["too-many"].error
    assert results.backends["fine"].status == "ok"


def test_too_few_reference_vectors_fail_a_postprocess_but_not_a_plain_run():
    # every reference target is "missing": only the suite's own words have vectors
    words = ",".join({i.word.lower() for i in harness.reference_contexts()}
                     - {"mouse", "rat", "keyboard", "lean", "greasy", "tilt"})
    suite = load_suite(POLYSEMY)
    results = run_suites([suite], [
        FakeBackend("plain", {"dim": 8, "missing": words}),
        FakeBackend("centred", {"dim": 8, "missing": words, "postprocess": "center"})])
    assert results.backends["plain"].status == "ok"
    assert results.backends["plain"].calibration is None  # no baseline: too few vectors
    assert results.backends["centred"].status == "error"
    assert "too few to fit it" in results.backends["centred"].error


@pytest.mark.parametrize("kind", ["center", "standardize", "abtt:3"])
def test_glove_postprocessed_from_the_cli(tmp_path, kind):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", f"glove-50d:postprocess={kind}", "-o",
                 str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    name = f"glove-50d:postprocess={kind}"
    reference = harness.embed("glove-50d", harness.reference_contexts())
    items = suite_contexts()
    expected = postprocessed(kind, reference, harness.embed("glove-50d", items))
    np.testing.assert_allclose(harness.embed(name, items), expected, atol=1e-6)
    assert_similarities(data["similarities"][name]["polysemy"], expected, items, atol=2e-6)
    mean, sd = independent_baseline(postprocessed(kind, reference, reference),
                                    harness.reference_contexts())
    assert data["backends"][name]["calibration"]["baseline_sd"] == pytest.approx(sd, rel=1e-5)


@pytest.mark.parametrize("backend, tolerance", [
    ("glove-50d", 1e-6),
    pytest.param("minilm", 1e-5, marks=[pytest.mark.slow, pytest.mark.real_model]),
])
def test_a_real_backend_s_baseline_equals_an_independent_computation(tmp_path, backend,
                                                                     tolerance):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", backend, "-o", str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    geometry = data["backends"][backend]["calibration"]
    reference = harness.reference_contexts()
    mean, sd = independent_baseline(harness.embed(backend, reference), reference)
    assert geometry["baseline_similarity"] == pytest.approx(mean, abs=tolerance)
    assert geometry["baseline_sd"] == pytest.approx(sd, abs=tolerance)
    for row in data["results"]:
        if row["margin"] is not None:
            assert row["margin_sd"] == pytest.approx(row["margin"] / sd, rel=10 * tolerance)
            assert row["weak"] == (row["passed"] and row["margin_sd"] < 0.5)


@pytest.mark.slow
@pytest.mark.real_model
@pytest.mark.parametrize("kind", ["center", "standardize", "abtt:3"])
def test_minilm_postprocessed_equals_the_formula(kind):
    items = suite_contexts()
    reference = harness.embed("minilm", harness.reference_contexts())
    expected = postprocessed(kind, reference, harness.embed("minilm", items))
    got = harness.embed(f"minilm:postprocess={kind}", items)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_no_baseline_still_postprocesses_but_records_no_baseline():
    suite = load_suite(POLYSEMY)
    plain = run_suites([suite], [FakeBackend("f", {"dim": 8})], reference=False)
    centred = run_suites([suite], [FakeBackend("f", {"dim": 8, "postprocess": "center"})],
                         reference=False)
    assert centred.backends["f"].calibration is None
    assert all(r.margin_sd is None and not r.weak for r in centred.rows)
    assert [r.margin for r in centred.rows] != [r.margin for r in plain.rows]


def test_a_run_of_whole_sentences_records_no_word_baseline(write_suite):
    path = write_suite("""
        suite: sentences
        tests:
          - id: s
            contexts:
              a: {text: "A mouse ran."}
              b: {text: "A rat ran."}
              c: {text: "Stocks fell."}
            expect: ["a: b > c"]
        """)
    results = run_suites([load_suite(path)], [FakeBackend("f", {"dim": 8,
                                                                "postprocess": "center"})])
    assert results.backends["f"].status == "ok"
    assert results.backends["f"].calibration is None
    assert results.rows[0].margin_sd is None


def test_unscored_everywhere_counts_only_the_suite_s_contexts():
    results = run_suites([load_suite(POLYSEMY)], [FakeBackend("f", {
        "dim": 8, "missing": "mouse,rat,keyboard,lean,greasy,tilt"})])
    assert results.backends["f"].status == "error"
    assert "(of 8 contexts without one, the first: " in results.backends["f"].error


def test_a_damaged_calibration_in_the_cache_is_computed_afresh():
    from harness.pipeline import calibration
    from harness.pipeline.embedding import cache_salt
    from harness.pipeline.embedding_cache import EmbeddingCache

    cache = EmbeddingCache()
    backend = FakeBackend("f", {"dim": 8, "seed": 21})
    cache.put_fact(backend.fingerprint(), cache_salt(backend), calibration.fact_kind(),
                   {"transform": "not a transform"})
    results = run_suites([load_suite(POLYSEMY)], [backend], cache=cache)
    assert results.backends["f"].status == "ok"
    assert results.backends["f"].calibration["baseline_sd"] > 0


@pytest.mark.parametrize("damage", ["narrower", "no width", "not json", "whole but narrower",
                                    "components a number", "no mean", "kind a number"])
def test_a_calibration_of_the_wrong_shape_is_fitted_again_not_applied(damage, tmp_path):
    """A standardization recorded for vectors of another width (or half-written) must not
    shift this backend's vectors: the run equals one with an empty cache."""
    import sqlite3

    from harness.pipeline import calibration
    from harness.pipeline.embedding import cache_salt
    from harness.pipeline.embedding_cache import EmbeddingCache

    options = {"dim": 8, "seed": 22, "postprocess": "standardize"}
    fresh = run_suites([load_suite(POLYSEMY)], [FakeBackend("f", options)],
                       cache=EmbeddingCache(tmp_path / "fresh.sqlite"))
    cache = EmbeddingCache(tmp_path / "damaged.sqlite")
    backend = FakeBackend("f", options)
    run_suites([load_suite(POLYSEMY)], [backend], cache=cache)
    key = (backend.fingerprint(), cache_salt(backend), calibration.fact_kind())
    stored = cache.get_fact(*key)
    assert stored["width"] == 8
    if damage == "narrower":
        stored["transform"]["mean"] = stored["transform"]["mean"][:4]
    elif damage == "no width":
        del stored["width"]
    elif damage == "whole but narrower":  # a consistent record for vectors of width 4
        for name in ("mean", "scale"):
            stored["transform"][name] = stored["transform"][name][:4]
        stored["width"] = 4
    elif damage == "components a number":
        stored["transform"]["components"] = 5
    elif damage == "no mean":
        stored["transform"]["mean"] = None
    elif damage == "kind a number":
        stored["transform"]["kind"] = 5
    cache.put_fact(*key, stored)
    if damage == "not json":
        with sqlite3.connect(cache.path) as db:
            db.execute("UPDATE backends SET used = '{half' WHERE used LIKE '%transform%'")
    again = run_suites([load_suite(POLYSEMY)], [FakeBackend("f", options)], cache=cache)
    assert again.backends["f"].status == "ok"
    assert again.backends["f"].calibration == fresh.backends["f"].calibration
    np.testing.assert_allclose([r.margin_sd for r in again.rows],
                               [r.margin_sd for r in fresh.rows], atol=1e-9)
    assert cache.get_fact(*key)["width"] == 8  # stored again, whole


def test_a_plugin_option_named_like_a_core_option_is_refused():
    from harness.backend import Backend, Option

    with pytest.raises(TypeError, match="defines postprocess, which the harness handles"):
        class Clashing(Backend):  # noqa: F841
            OPTIONS = {**Backend.OPTIONS, "postprocess": Option("l2", "the plugin's own")}


def test_embed_gives_nan_for_a_zero_vector_as_a_run_does():
    fake = FakeBackend("f", {"dim": 4, "vectors": {"void": [0.0, 0.0, 0.0, 0.0]}})
    vectors = harness.embed(fake, [("The void.", "void"), ("A mouse.", "mouse")])
    assert np.isnan(vectors[0]).all() and np.isfinite(vectors[1]).all()
