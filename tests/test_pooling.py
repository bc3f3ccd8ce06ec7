"""harness/backend/pooling.py: which layers (`auto`, negative indices, indices outside the model),
how layers combine (sum, mean, concat) and how a word's pieces combine (mean, first, last, sum);
on small arrays written out by hand, and through the transformer base class with the toy model
of tests/toy_models.py against a textbook computation in float64."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from harness.backend import Item
from harness.backend.pooling import (
    LAYER_POOLS,
    SUBWORD_POOLS,
    default_layers,
    parse_layers,
    pool_layers,
    position_weights,
    resolve_layers,
)
from harness.errors import OptionError
from tests.toy_models import ToyBackend, ToyModel, sequence, textbook_vector

# The backend pools float32 hidden states; the textbook works in float64 on states of size ~1-10.
TOLERANCE = 1e-5  # absolute and relative

# (text, span, positions of the target in [CLS] text [SEP]); span None: a whole sentence
CASES = [
    ("A mouse is a rodent animal.", (13, 19), [5, 6]),  # rode ##nt
    ("A mouse is a rodent animal.", (2, 7), [2]),
    ("Rodents (mouse, rat) live.", (9, 14), [4]),  # after punctuation
    ("The hippopotamus ate.", (4, 16), [2, 3, 4]),  # hipp ##opot ##amus
    ("A rat is an animal that lives in the sewers.", None, None),
]


def textbook(model, layers, layer_pool="sum", subword_pool="mean", cases=CASES):
    return np.stack([textbook_vector(model, sequence(text), where, layers, layer_pool,
                                     subword_pool) for text, _, where in cases])


def embed(options, model=None, cases=CASES):
    backend = ToyBackend("toy", options, model=model)
    return backend, backend.embed([Item(text, span) for text, span, _ in cases])


def test_the_poolings_are_the_documented_ones():
    assert LAYER_POOLS == ("sum", "mean", "concat")
    assert SUBWORD_POOLS == ("mean", "first", "last", "sum")


@pytest.mark.parametrize(("layer_pool", "subword_pool"), list(itertools.product(
    ["sum", "mean", "concat"], ["mean", "first", "last", "sum"])))
def test_each_pooling_equals_the_textbook(layer_pool, subword_pool):
    model = ToyModel()
    _, out = embed({"layers": "0,3,-1", "layer_pool": layer_pool,
                    "subword_pool": subword_pool}, model)
    want = textbook(model, (0, 3, -1), layer_pool, subword_pool)
    assert out.vectors.shape == (len(CASES), 18 if layer_pool == "concat" else 6)
    np.testing.assert_allclose(out.vectors, want, atol=TOLERANCE, rtol=TOLERANCE)


def test_layers_auto_sums_the_last_four_hidden_states():
    model = ToyModel(layers=5)  # six hidden states: auto is 2, 3, 4, 5
    backend, out = embed({}, model)
    assert backend.used()["layers"] == [2, 3, 4, 5]
    np.testing.assert_allclose(out.vectors, textbook(model, (2, 3, 4, 5)), atol=TOLERANCE,
                               rtol=TOLERANCE)


def test_layers_auto_of_a_model_with_fewer_than_four_layers_is_every_layer():
    model = ToyModel(layers=2)
    backend, out = embed({"layers": "auto"}, model)
    assert backend.used()["layers"] == [1, 2]  # never the embedding layer
    np.testing.assert_allclose(out.vectors, textbook(model, (1, 2)), atol=TOLERANCE,
                               rtol=TOLERANCE)


def test_negative_layers_count_from_the_top():
    model = ToyModel(layers=5)
    backend, negative = embed({"layers": "-1,-6"}, model)
    assert backend.used()["layers"] == [5, 0]
    _, positive = embed({"layers": (5, 0)}, model)
    np.testing.assert_array_equal(negative.vectors, positive.vectors)
    np.testing.assert_allclose(negative.vectors, textbook(model, (5, 0)), atol=TOLERANCE,
                               rtol=TOLERANCE)


def test_layers_outside_the_model_are_a_clear_error():
    """Moved here from tests/test_hf.py (a tiny BERT of 3 hidden states there)."""
    backend = ToyBackend("toy", {"layers": "-7"})
    with pytest.raises(OptionError, match=r"^layers=-7: the model has 6 hidden states \(0 is "
                       r"the embedding layer, 5 the top; -1 to -6 count from the top\)$"):
        backend.embed([Item("A mouse.", (2, 7))])


# -- the functions, on arrays written out by hand -------------------------------------------------


@pytest.mark.parametrize(("text", "want"), [
    ("auto", "auto"), (" AUTO ", "auto"), ("-4,-3,-2,-1", (-4, -3, -2, -1)), ("0 5", (0, 5)),
    ("3", (3,)),
])
def test_parse_layers_reads_auto_or_indices(text, want):
    assert parse_layers(text) == want


@pytest.mark.parametrize("text", ["", "last", "1,x", "1.5"])
def test_parse_layers_refuses_anything_else(text):
    with pytest.raises(ValueError, match="expected one or more integers, like -4,-3,-2,-1"):
        parse_layers(text)


@pytest.mark.parametrize(("layers", "want"), [
    ((-1,), [12]), ((-13,), [0]), ((0, -1), [0, 12]), ((5, 5), [5, 5]), ("auto", [9, 10, 11, 12]),
])
def test_resolve_layers_makes_indices_non_negative(layers, want):
    assert resolve_layers(layers, 13) == want


@pytest.mark.parametrize("layer", [13, -14])
def test_resolve_layers_refuses_an_index_outside_the_model(layer):
    with pytest.raises(OptionError, match=rf"layers={layer}: the model has 13 hidden states"):
        resolve_layers((0, layer), 13)


@pytest.mark.parametrize(("n_states", "want"), [
    (13, [9, 10, 11, 12]), (6, [2, 3, 4, 5]), (5, [1, 2, 3, 4]), (4, [1, 2, 3]), (2, [1]),
    (1, [0]),  # no transformer layer at all: the embedding layer
])
def test_default_layers_are_the_last_four_never_the_embeddings_when_there_is_a_layer(n_states,
                                                                                      want):
    assert default_layers(n_states) == want


def test_pool_layers_sums_averages_or_concatenates():
    a = np.array([[[1.0, 2.0], [3.0, 4.0]]])  # (B=1, S=2, H=2)
    b = np.array([[[10.0, 20.0], [30.0, 40.0]]])
    np.testing.assert_array_equal(pool_layers([a, b], "sum"), [[[11, 22], [33, 44]]])
    np.testing.assert_array_equal(pool_layers([a, b], "mean"), [[[5.5, 11], [16.5, 22]]])
    np.testing.assert_array_equal(pool_layers([a, b], "concat"),
                                  [[[1, 2, 10, 20], [3, 4, 30, 40]]])
    np.testing.assert_array_equal(pool_layers([a], "sum"), a)


@pytest.mark.parametrize(("mode", "want"), [
    ("mean", [[0, 1 / 3, 1 / 3, 1 / 3, 0], [1, 0, 0, 0, 0]]),
    ("sum", [[0, 1, 1, 1, 0], [1, 0, 0, 0, 0]]),
    ("first", [[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]]),
    ("last", [[0, 0, 0, 1, 0], [1, 0, 0, 0, 0]]),
])
def test_position_weights_pick_the_targets_pieces(mode, want):
    weights = position_weights([np.array([1, 2, 3]), np.array([0])], 5, mode)
    assert weights.shape == (2, 5)
    np.testing.assert_allclose(weights, want, atol=1e-7)  # float32 thirds
