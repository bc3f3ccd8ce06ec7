"""The core options `similarity` and `truncate_dim` against their textbook definitions (numpy
loops, scipy.stats.spearmanr), the rogue-dimension shares against a direct computation, and
cosine's byte-identity: at its default every similarity goes through the code it always ran
(`similarity`, `pair`, `matrix`, `row_similarities`, `baseline` branch on `name == "cosine"`
to the 0.3 code unchanged), checked here by running the default and an explicit
`similarity=cosine,truncate_dim=full` and comparing results.json byte for byte, and by the
before/after diff of polysemy and wordsim353 on glove-50d and minilm (see the CHANGELOG)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from harness import run
from harness.backend import Embeddings, Item
from harness.errors import OptionError
from harness.measures.vectors import (
    cosine,
    matrix,
    pair,
    ranks,
    row_similarities,
    rows_for,
    similarity,
)
from harness.pipeline import calibration
from harness.pipeline.numerics import baseline, pairwise
from harness.pipeline.prepare import prepare_one
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY

NAMES = ("cosine", "dot", "euclidean", "manhattan", "spearman")


def textbook(a: list[float], b: list[float], name: str) -> float:
    n = len(a)
    if name == "dot":
        return sum(a[i] * b[i] for i in range(n))
    if name == "euclidean":
        return -math.sqrt(sum((a[i] - b[i]) ** 2 for i in range(n)))
    if name == "manhattan":
        return -sum(abs(a[i] - b[i]) for i in range(n))
    if name == "spearman":
        return float(spearmanr(a, b).statistic)
    dot = sum(a[i] * b[i] for i in range(n))
    return dot / math.sqrt(sum(x * x for x in a) * sum(x * x for x in b))


@pytest.mark.parametrize("name", NAMES)
def test_each_similarity_is_its_textbook_definition(name):
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.standard_normal(17), rng.standard_normal(17)
        if name == "spearman":  # with ties in the components
            a[3] = a[5] = a[7]
        assert similarity(a, b, name) == pytest.approx(textbook(list(a), list(b), name),
                                                       abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_rows_pairs_matrices_and_the_baseline_agree_with_the_pairwise_definition(name):
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((9, 6))
    rows = rows_for(vectors, name)
    full = matrix(rows, name)
    for i in range(9):
        for j in range(9):
            want = textbook(list(vectors[i]), list(vectors[j]), name)
            assert pair(rows, i, j, name) == pytest.approx(want, abs=1e-12)
            assert full[i, j] == pytest.approx(want, abs=1e-12)
    np.testing.assert_allclose(pairwise(vectors, name), full, atol=1e-12)
    a, b = np.array([0, 1, 2, 8]), np.array([3, 1, 7, 0])
    np.testing.assert_allclose(row_similarities(vectors, a, b, name),
                               [full[i, j] for i, j in zip(a, b)], atol=1e-12)
    words = ["w0", "w1", "w0", "w2", "w3", "w4", "w5", "w6", "w7"]
    mean, sd, count = baseline(vectors, words, name)
    values = [full[i, j] for i in range(9) for j in range(i + 1, 9) if words[i] != words[j]]
    assert count == len(values) == 35
    assert mean == pytest.approx(np.mean(values)) and sd == pytest.approx(np.std(values))


def test_cosine_is_the_code_it_always_was():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(50), rng.standard_normal(50)
    assert similarity(a, b) == cosine(a, b)  # the same function: bit for bit
    vectors = rng.standard_normal((5, 4))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert pair(rows_for(vectors), 1, 3) == float(np.dot(unit[1], unit[3]))


def test_ranks_average_ties():
    assert list(ranks(np.array([3.0, 1.0, 3.0, 2.0]))) == [3.5, 1.0, 3.5, 2.0]


def test_options_are_parsed_and_refused_clearly():
    backend = FakeBackend("f", {"similarity": "DOT", "truncate_dim": "4"})
    assert backend.options["similarity"] == "dot" and backend.options["truncate_dim"] == 4
    with pytest.raises(OptionError, match="similarity='jaccard'.*cosine, dot"):
        FakeBackend("f", {"similarity": "jaccard"})
    with pytest.raises(OptionError, match="truncate_dim='0'"):
        FakeBackend("f", {"truncate_dim": "0"})
    with pytest.raises(ValueError, match="similarity=model: f names no similarity function"):
        calibration.similarity_name(FakeBackend("f", {"similarity": "model"}))


class DotModel(FakeBackend):
    def similarity_fn(self):
        return "dot"


def test_similarity_model_reads_the_backend_hook():
    assert calibration.similarity_name(DotModel("f", {"similarity": "model"})) == "dot"
    assert calibration.similarity_name(DotModel("f")) == "cosine"


ITEMS = [Item("A mouse ran under the table.", (2, 7)), Item("Click the mouse twice.", (10, 15))]


def test_truncate_dim_keeps_the_first_components_before_post_processing():
    full = prepare_one(FakeBackend("f", {"dim": 8}), ITEMS, cache=None)
    cut = prepare_one(FakeBackend("f", {"dim": 8, "truncate_dim": 3}), ITEMS, cache=None)
    assert cut.embedded.vectors.shape == (2, 3)
    np.testing.assert_array_equal(cut.embedded.vectors, full.embedded.vectors[:, :3])
    # standardize is fitted on the truncated reference vectors: each kept component, over the
    # reference sample, has mean 0 and standard deviation 1
    std = FakeBackend("f", {"dim": 8, "truncate_dim": 3, "postprocess": "standardize"})
    sample = list(calibration.reference()[0])
    out = prepare_one(std, sample, cache=None).embedded.vectors
    raw = prepare_one(FakeBackend("f", {"dim": 8}), sample, cache=None).embedded.vectors[:, :3]
    keep = np.isfinite(raw).all(axis=1)
    want = (raw[keep] - raw[keep].mean(axis=0)) / raw[keep].std(axis=0)
    np.testing.assert_allclose(out[keep], want, atol=1e-9)
    too_wide = prepare([FakeBackend("f", {"dim": 8, "truncate_dim": 9})])
    assert "truncate_dim=9: f gives vectors of 8 components" in too_wide.error


def prepare(backends):
    from harness.pipeline.prepare import prepare as prepare_all
    [prepared] = prepare_all(backends, ITEMS, cache=None)
    return prepared.record


def test_truncated_embeddings_keep_their_reasons():
    embedded = Embeddings(np.arange(12.0).reshape(2, 6), {1: "why"}, {"layers": [1]})
    cut = calibration.truncated(FakeBackend("f", {"truncate_dim": 2}), embedded)
    assert cut.vectors.tolist() == [[0.0, 1.0], [6.0, 7.0]] and cut.reasons == {1: "why"}


def test_cosine_run_is_byte_identical_to_the_default(tmp_path):
    default = run([POLYSEMY], [FakeBackend("fake")], progress=False, cache=False)
    explicit = run([POLYSEMY], [FakeBackend("fake", {"similarity": "cosine",
                                                     "truncate_dim": "full"})],
                   progress=False, cache=False)
    a, b = default.to_dict(), explicit.to_dict()
    a.pop("created"), b.pop("created")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert "similarity" not in a["backends"]["fake"]["options"]
    assert "similarity" not in (a["backends"]["fake"].get("used") or {})


def test_another_similarity_scores_orderings_with_it():
    results = run([POLYSEMY], [FakeBackend("fake", {"similarity": "euclidean"})],
                  progress=False, cache=False)
    data = results.to_dict()
    assert data["backends"]["fake"]["used"]["similarity"] == "euclidean"
    rows = [r for r in results.rows if r.error is None]
    assert rows and all(r.sim_closer <= 0 and r.sim_farther <= 0 for r in rows)


def test_rogue_dimension_contributions_are_the_direct_mean_over_pairs():
    from harness.pipeline.numerics import dimension_contributions, top_shares

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((12, 5)) + np.array([4.0, 0, 0, 1.0, 0])  # a rogue dim 0
    vectors[4] = np.nan
    words = ["a", "b", "a", "c", "d", "b", "e", "f", "a", "g", "h", "c"]
    want = np.zeros(5)
    pairs = 0
    for i in range(12):
        for j in range(i + 1, 12):
            if i == 4 or j == 4 or words[i] == words[j]:
                continue
            u, v = vectors[i], vectors[j]
            want += u * v / (np.linalg.norm(u) * np.linalg.norm(v))
            pairs += 1
    want /= pairs
    got = dimension_contributions(vectors, words)
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert got.sum() == pytest.approx(baseline(vectors, words)[0])  # they sum to the baseline
    shares = sorted(np.abs(want) / np.abs(want).sum(), reverse=True)
    assert top_shares(got) == pytest.approx([shares[0], sum(shares[:3]), sum(shares)])
    assert sum(shares) == pytest.approx(1.0)
    assert int(np.argmax(got)) == 0


def test_sweep_has_a_width_axis_equal_to_runs_at_each_width():
    from harness.studies.layer_sweep import sweep
    from harness.suites.validate import load_suite

    suite = load_suite(POLYSEMY)
    done = sweep([suite], [FakeBackend("fake", {"dim": 8})], dims=(2, 5, "full"))
    assert [(r.option, r.value) for r in done.rows] == [
        ("truncate_dim", "2"), ("truncate_dim", "5"), ("truncate_dim", "full")]
    for row, dim in zip(done.rows, (2, 5, "full")):
        alone = run([POLYSEMY], [FakeBackend("fake", {"dim": 8, "truncate_dim": dim})],
                    progress=False, cache=False)
        assert row.passed == sum(s.passed for s in alone.summary_rows)


def test_the_hf_backend_reads_similarity_fn_name(tmp_path):
    pytest.importorskip("transformers")
    from harness_backends.hf import HfBackend

    (tmp_path / "config.json").write_text("{}")
    backend = HfBackend("m", {"model": str(tmp_path)})
    assert backend.similarity_fn() is None
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"similarity_fn_name": "dot"}))
    assert backend.similarity_fn() == "dot"
    assert calibration.similarity_name(HfBackend("m", {"model": str(tmp_path),
                                                       "similarity": "model"})) == "dot"


def test_wic_pairs_are_compared_with_the_backends_similarity():
    from harness.studies.wic import _similarities
    from harness.suites.wic_format import WicPair

    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((3, 4))
    a, b, c = (Item(f"text {i}", (0, 4)) for i in range(3))
    where = {a: 0, b: 1, c: 2}
    pairs = [WicPair.__new__(WicPair) for _ in range(2)]
    for p, (x, y) in zip(pairs, ((a, b), (b, c))):
        object.__setattr__(p, "a", x)
        object.__setattr__(p, "b", y)
    embedded = Embeddings(vectors, {2: "gone"})
    for name in NAMES:
        sims = _similarities(embedded, where, pairs, name)
        assert sims[0] == pytest.approx(textbook(list(vectors[0]), list(vectors[1]), name))
        assert np.isnan(sims[1])


def test_sweep_cli_takes_dims(fake_only, tmp_path, capsys):
    from harness.cli import main

    code = main(["sweep", str(POLYSEMY), "-b", "fake", "--dims", "2,full", "--no-progress",
                 "-o", str(tmp_path / "out")])
    assert code == 0
    text = (tmp_path / "out" / "sweep.csv").read_text()
    assert "truncate_dim,2," in text and "truncate_dim,full," in text
    with pytest.raises(SystemExit):  # argparse refuses it, naming the value
        main(["sweep", str(POLYSEMY), "-b", "fake", "--dims", "0"])
    assert "'0': use full or a whole number" in capsys.readouterr().err
