"""harness/backend/base.py and capabilities.py, below what tests/test_backend_contract.py covers
through the runner: `Backend.embed` in batches of `batch_size` (order kept, reasons renumbered, a
batch without any vector widened), `checked` (shapes, dtypes, reasons, values float32 cannot
hold), the fingerprint (weights identified once; options that do not change vectors left out),
the options every backend takes, `Item`, `Availability`, `BrokenInstance`, and the capability
look-ups the runner uses."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backend import (
    AVAILABLE,
    Availability,
    Backend,
    BrokenInstance,
    Embeddings,
    Item,
    Option,
)
from harness.backend.capabilities import DEFAULT_RESOURCES, resources_of, share_key_of
from harness.backend.options import positive_int
from harness.errors import OptionError
from harness.testing import FakeBackend
from tests.toy_models import ToyBackend


class Lengths(Backend):
    """Vector of an item: (length of its text, start of its span or -1, 1, ...) of `dim` values;
    a text with "?" has no vector (NaN and a reason). A batch of only such texts answers with
    one column of NaN, as a backend that never saw a vector's width does."""

    plugin = "lengths"
    OPTIONS = {**Backend.OPTIONS, "dim": Option(3, "vector size", positive_int),
               "label": Option("", "a name for reports", affects_vectors=False)}

    def __init__(self, name="b", options=None):
        super().__init__(name, options)
        self.batches: list[int] = []
        self.identified = 0

    def weights_id(self) -> str:
        self.identified += 1
        return "lengths-1"

    def embed_batch(self, items):
        self.batches.append(len(items))
        missing = {i: f"no vector for {it.text!r}" for i, it in enumerate(items) if "?" in it.text}
        if len(missing) == len(items):
            return Embeddings(np.full((len(items), 1), np.nan), missing)
        vectors = np.ones((len(items), self.options["dim"]))
        for i, item in enumerate(items):
            vectors[i, :2] = len(item.text), item.span[0] if item.span else -1
        vectors[list(missing)] = np.nan
        return Embeddings(vectors, missing, {"batches": len(self.batches)})


class Returns(Backend):
    """Answers every batch with what it was given."""

    plugin = "returns"

    def __init__(self, out):
        super().__init__("b")
        self.out = out

    def embed_batch(self, items):
        return self.out


def test_embed_hands_over_batch_size_items_at_a_time_in_order():
    texts = ["a", "bb", "ccc", "d?", "eeeee", "ffffff", "g?"]
    backend = Lengths("b", {"batch_size": 3})
    out = backend.embed([Item(t, (0, 1)) for t in texts])
    assert backend.batches == [3, 3, 1]
    assert out.reasons == {3: "no vector for 'd?'", 6: "no vector for 'g?'"}  # renumbered
    want = [[len(t), 0, 1] for t in texts]
    np.testing.assert_array_equal(out.vectors[[0, 1, 2, 4, 5]], np.array(want)[[0, 1, 2, 4, 5]])
    assert np.isnan(out.vectors[[3, 6]]).all()
    assert out.vectors.dtype == np.float32 and out.used == {"batches": 2}


def test_a_batch_without_any_vector_is_widened_to_the_others():
    backend = Lengths("b", {"batch_size": 2, "dim": 4})
    out = backend.embed([Item("a?"), Item("b?"), Item("ccc", (1, 2))])
    assert out.vectors.shape == (3, 4)
    assert np.isnan(out.vectors[:2]).all() and out.vectors[2].tolist() == [3, 1, 1, 1]
    only_missing = backend.embed([Item("a?"), Item("b?")])
    assert only_missing.vectors.shape == (2, 1) and set(only_missing.reasons) == {0, 1}


def test_vectors_of_other_sizes_in_other_batches_are_an_error():
    class Growing(Lengths):
        def embed_batch(self, items):
            self.batches.append(len(items))
            return Embeddings(np.zeros((len(items), 1 + len(self.batches))))

    with pytest.raises(ValueError, match=r"^backend 'b' returned vectors of sizes \[2, 3\] in "
                       "different batches; a backend gives one size$"):
        Growing("b", {"batch_size": 1}).embed([Item("a"), Item("b")])


def test_no_items_embed_nothing():
    backend = Lengths()
    assert backend.embed([]).vectors.shape == (0, 0) and backend.batches == []


@pytest.mark.parametrize(("vectors", "message"), [
    (np.zeros((2, 3)), r"^backend 'b' returned shape \(2, 3\) for 3 items; expected \(n, dim\)$"),
    (np.zeros(3), r"^backend 'b' returned shape \(3,\) for 3 items; expected \(n, dim\)$"),
    (np.zeros((3, 2), dtype=np.int64), "^backend 'b' returned dtype int64, not float$"),
])
def test_checked_refuses_a_wrong_shape_or_dtype(vectors, message):
    with pytest.raises(ValueError, match=message):
        Returns(Embeddings(vectors)).embed([Item("a"), Item("b"), Item("c")])


def test_checked_refuses_reasons_for_rows_outside_the_batch():
    out = Embeddings(np.zeros((3, 2)), {3: "no such row"})
    with pytest.raises(ValueError, match=r"^backend 'b' gave reasons for rows \[3\] of a batch "
                       "of 3$"):
        Returns(out).checked(out, 3)


def test_checked_gives_float32_and_a_reason_to_every_value_float32_cannot_hold():
    vectors = np.array([[1.0, 2.0], [1e39, 0.0], [np.nan, 1.0], [np.inf, 0.0], [5.0, 6.0],
                        [0.5, 0.25]])
    backend = Returns(None)
    out = backend.checked(Embeddings(vectors, {4: "told so"}), 6)
    assert out.vectors.dtype == np.float32
    not_finite = ("b returned a vector with values that are not finite in float32 (NaN, inf or "
                  "beyond ±3.4e38)")
    assert out.reasons == {1: not_finite, 2: not_finite, 3: not_finite, 4: "told so"}
    assert np.isnan(out.vectors[1:5]).all()  # a row with a reason is NaN, whatever it held
    np.testing.assert_array_equal(out.vectors[[0, 5]], [[1, 2], [0.5, 0.25]])


def test_checked_takes_what_was_used_from_the_backend_when_the_answer_has_none():
    class Says(Returns):
        def used(self):
            return {"layers": [1]}

    backend = Says(None)
    assert backend.checked(Embeddings(np.zeros((1, 2))), 1).used == {"layers": [1]}
    assert backend.checked(Embeddings(np.zeros((1, 2)), used={"x": 1}), 1).used == {"x": 1}


# -- the fingerprint and the options --------------------------------------------------------------


def test_weights_are_identified_once_however_often_the_fingerprint_is_asked():
    backend = Lengths()
    assert len({backend.fingerprint(), backend.fingerprint(raw=True), backend.fingerprint()}) == 1
    assert backend.identified == 1
    assert len(backend.fingerprint()) == 16 and int(backend.fingerprint(), 16) >= 0


def test_the_fingerprint_changes_with_what_changes_vectors_only():
    base = Lengths().fingerprint()
    assert Lengths("other name", {"batch_size": 7, "label": "x"}).fingerprint() == base
    assert Lengths("b", {"dim": 4}).fingerprint() != base

    class Renamed(Lengths):
        plugin = "lengths2"

    assert Renamed().fingerprint() != base


def test_every_backend_takes_the_harness_options_and_names_its_own_when_one_is_unknown():
    class Bare(Backend):
        plugin = "bare"
        OPTIONS = {"dim": Option(3, "vector size", positive_int)}

        def embed_batch(self, items):
            return Embeddings(np.zeros((len(items), 3)))

    assert set(Bare.OPTIONS) == {"dim", "postprocess", "truncate_dim", "similarity"}
    assert Bare("b", {"postprocess": "center"}).options == {
        "dim": 3, "postprocess": "center", "truncate_dim": "full", "similarity": "cosine"}
    with pytest.raises(OptionError, match=r"^backend 'b': unknown option 'dimension'.*; plugin "
                       "'bare' takes: dim, postprocess, similarity, truncate_dim$"):
        Bare("b", {"dimension": 4})


def test_batch_items_is_the_batch_size_option():
    assert Lengths("b", {"batch_size": 5}).batch_items() == 5
    assert Lengths().batch_items() == 32  # the default
    assert ToyBackend().batch_items() >= 1 << 30  # it packs its own batches by tokens


# -- small types ---------------------------------------------------------------------------------


def test_an_item_names_its_word():
    assert Item("A mouse ran.", (2, 7)).word == "mouse"
    assert Item("A mouse ran.").word is None and Item("A mouse ran.").span is None


def test_availability_explains_itself():
    assert AVAILABLE.ok and AVAILABLE.explain() == "available"
    assert Availability(False, "No weights.", "pip install x").explain() == (
        "No weights. Fix: pip install x")
    assert Availability(False, "No weights.").explain() == "No weights."


def test_a_broken_instance_raises_its_error_when_used():
    broken = BrokenInstance("mine", "hf", OptionError("option layers='x': bad"))
    assert broken.plugin == "hf" and broken.name == "mine"
    for call in (broken.availability, lambda: broken.embed_batch([Item("a")])):
        with pytest.raises(OptionError, match="option layers='x': bad"):
            call()


# -- capabilities -------------------------------------------------------------------------------


def test_a_plain_backend_runs_alone_on_default_resources():
    fake = FakeBackend("f")
    assert share_key_of(fake) is None
    resources = resources_of(fake)
    assert resources == {"num_cpus": 1, "num_gpus": 0}
    resources["num_gpus"] = 5  # a copy: the defaults stay
    assert DEFAULT_RESOURCES == {"num_cpus": 1, "num_gpus": 0}


def test_a_transformer_backend_shares_and_asks_for_what_it_needs():
    backend = ToyBackend("t", {"device": "cuda:0"})
    assert share_key_of(backend) == backend.share_key() == ToyBackend(
        "u", {"device": "cuda:0", "layers": "-1", "postprocess": "center"}).share_key()
    assert resources_of(backend) == {"num_cpus": 1, "num_gpus": 1}
