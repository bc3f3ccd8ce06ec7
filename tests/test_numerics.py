"""harness.pipeline.numerics against the textbook definitions, computed here with loops, scipy and
scikit-learn on random vectors (float64 throughout: tolerances are 1e-9 or tighter)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from harness.pipeline.numerics import (
    Transform,
    baseline,
    classical_mds,
    explained_by_first,
    intra_sentence_similarity,
    mev,
    self_similarity,
)

RNG = np.random.default_rng(7)
VECTORS = RNG.standard_normal((40, 6)) + np.array([3.0, 0, 0, 0, 0, 1.0])  # a cone
WORDS = [["bank", "Bank", "river", "stone", "tree"][i % 5] for i in range(40)]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_baseline_is_the_mean_and_sd_over_pairs_of_different_words():
    from scipy.spatial.distance import pdist

    similarity = 1 - pdist(VECTORS, "cosine")
    lowered = [w.lower() for w in WORDS]
    differ = np.array([a != b for a, b in itertools.combinations(lowered, 2)])
    mean, sd, pairs = baseline(VECTORS, WORDS)
    assert pairs == differ.sum() == 40 * 39 / 2 - 16 * 15 / 2 - 3 * 28  # bank = Bank
    assert mean == pytest.approx(similarity[differ].mean(), abs=1e-12)
    assert sd == pytest.approx(similarity[differ].std(ddof=0), abs=1e-12)


def test_rows_without_a_vector_are_left_out_of_the_baseline():
    holed = VECTORS.copy()
    holed[3] = np.nan
    keep = [i for i in range(40) if i != 3]
    assert baseline(holed, WORDS) == pytest.approx(
        baseline(VECTORS[keep], [WORDS[i] for i in keep]), abs=1e-12)


def test_self_similarity_is_the_mean_cosine_among_occurrences():
    expected = []
    for word in {w.lower() for w in WORDS}:
        rows = [i for i, w in enumerate(WORDS) if w.lower() == word]
        expected.append(np.mean([cosine(VECTORS[i], VECTORS[j])
                                 for i, j in itertools.permutations(rows, 2)]))
    assert self_similarity(VECTORS, WORDS) == pytest.approx(np.mean(expected), abs=1e-12)


def test_words_with_fewer_than_five_occurrences_are_left_out():
    words = ["a"] * 5 + ["b"] * 4
    vectors = RNG.standard_normal((9, 4))
    alone = self_similarity(vectors[:5], words[:5])
    assert self_similarity(vectors, words) == pytest.approx(alone, abs=1e-12)
    assert np.isnan(self_similarity(vectors[5:], words[5:]))


def test_mev_is_the_first_eigenvalue_share_of_the_uncentred_matrix():
    rows = [i for i, w in enumerate(WORDS) if w == "river"]
    matrix = VECTORS[rows]
    eigenvalues = np.linalg.eigvalsh(matrix.T @ matrix)
    assert explained_by_first(matrix) == pytest.approx(eigenvalues.max() / eigenvalues.sum(),
                                                       abs=1e-12)
    per_word = []
    for word in ("bank", "river", "stone", "tree"):
        rows = [i for i, w in enumerate(WORDS) if w.lower() == word]
        values = np.linalg.eigvalsh(VECTORS[rows].T @ VECTORS[rows])
        per_word.append(values.max() / values.sum())
    assert mev(VECTORS, WORDS) == pytest.approx(np.mean(per_word), abs=1e-12)


def test_intra_sentence_similarity_is_each_word_against_its_sentence_mean():
    sentences = [i // 8 for i in range(40)]
    expected = []
    for s in range(5):
        rows = VECTORS[[i for i in range(40) if sentences[i] == s]]
        centre = rows.mean(axis=0)
        expected.append(np.mean([cosine(v, centre) for v in rows]))
    assert intra_sentence_similarity(VECTORS, sentences) == pytest.approx(np.mean(expected),
                                                                          abs=1e-12)


def test_center_and_standardize_are_the_textbook_formulas():
    other = RNG.standard_normal((5, 6))
    mean, sd = VECTORS.mean(axis=0), VECTORS.std(axis=0, ddof=0)
    np.testing.assert_allclose(Transform.fit("center", VECTORS)(other), other - mean,
                               atol=1e-12)
    np.testing.assert_allclose(Transform.fit("standardize", VECTORS)(other),
                               (other - mean) / sd, atol=1e-12)
    np.testing.assert_array_equal(Transform.fit("none", VECTORS)(other), other)


def test_abtt_removes_the_top_principal_components_of_the_centred_reference():
    from sklearn.decomposition import PCA

    other = RNG.standard_normal((5, 6))
    top = PCA(n_components=2).fit(VECTORS).components_
    centred = other - VECTORS.mean(axis=0)
    expected = centred - centred @ top.T @ top
    np.testing.assert_allclose(Transform.fit("abtt:2", VECTORS)(other), expected, atol=1e-10)
    # what is left is orthogonal to the removed directions
    np.testing.assert_allclose(Transform.fit("abtt:2", VECTORS)(other) @ top.T, 0, atol=1e-10)


def test_a_dimension_that_does_not_vary_is_left_centred():
    flat = VECTORS.copy()
    flat[:, 2] = 5.0
    out = Transform.fit("standardize", flat)(flat)
    assert np.isfinite(out).all() and np.allclose(out[:, 2], 0)


def test_a_transform_survives_its_dict_form():
    fitted = Transform.fit("abtt:1", VECTORS)
    again = Transform.from_dict(fitted.to_dict())
    np.testing.assert_allclose(again(VECTORS), fitted(VECTORS), atol=1e-12)


def test_classical_mds_of_cosines_is_the_pca_of_unit_vectors():
    from sklearn.decomposition import PCA

    unit = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)
    points = classical_mds(unit @ unit.T)
    expected = PCA(n_components=2).fit_transform(unit)
    signs = np.sign((points * expected).sum(axis=0))  # each axis is defined up to its sign
    np.testing.assert_allclose(points * signs, expected, atol=1e-9)
