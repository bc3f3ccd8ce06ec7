"""harness/backend/transformer.py with the toy numpy model of tests/toy_models.py: vectors equal a
textbook computation (windows of long texts, whole sentences, decoder-only reading included);
token-budget batches (the same vectors whatever batch_size and max_tokens, no forward pass over
its budget, each unique text run once, padding never leaking); forward passes shared by pooling
variants; max_length, share_key, sweep settings, resources, what was used, the fingerprint; and
no framework imported."""

from __future__ import annotations

import logging
import subprocess
import sys

import numpy as np
import pytest

from harness.backend import Item
from harness.backend.capabilities import NeedsResources, SharesForward, Sweepable
from harness.backend.transformer import pad_batch, token_budget_batches
from harness.errors import OptionError
from tests.helpers import ROOT
from tests.toy_models import JUNK, LIMIT, ToyBackend, ToyModel, sequence, textbook_vector

# Vectors against the float64 textbook: float32 states of size ~1-10, summed over four layers.
TOLERANCE = 1e-5  # absolute and relative
# The same vectors from other batches: only the summation order of float32 sums may change.
SAME = 1e-6  # absolute

WORDS = [f"w{i}" for i in range(60)]  # one piece each
MODEL = ToyModel()  # five layers, six hidden states: layers=auto is 2, 3, 4, 5
AUTO = (2, 3, 4, 5)


def mouse_after(k: int) -> tuple[str, tuple[int, int]]:
    """k filler words, then "mouse." (k + 2 pieces)."""
    text = " ".join(WORDS[:k] + ["mouse."])
    return text, (len(text) - 6, len(text) - 1)


# Texts of many lengths (4 to 43 tokens with the template), a word of several pieces, whole
# sentences of texts that also hold targets, and the same item twice.
RODENT = "A mouse is a rodent animal."
ITEMS = ([Item(*mouse_after(k)) for k in range(0, 40, 3)]
         + [Item(RODENT, (13, 19)), Item(RODENT, None), Item(" ".join(WORDS[:20]), None),
            Item(*mouse_after(9)), Item("Tiny.", (0, 4))])
UNIQUE_TEXTS = len({item.text for item in ITEMS})


def textbook_of(item: Item, layers=AUTO) -> np.ndarray:
    """The item's vector with no window (every text of ITEMS fits), by the textbook."""
    ids = sequence(item.text)
    if item.span is None:
        return textbook_vector(MODEL, ids, None, layers)
    tokens = ToyBackend().tokenizer.encode(item.text)
    inside = [i + 1 for i, (s, e) in enumerate(tokens.offsets)
              if s < item.span[1] and e > item.span[0]]
    return textbook_vector(MODEL, ids, inside, layers)


def test_vectors_equal_the_textbook_sum_of_the_last_four_layers_and_mean_of_pieces():
    backend = ToyBackend()
    out = backend.embed(ITEMS)
    assert not out.reasons
    want = np.stack([textbook_of(item) for item in ITEMS])
    np.testing.assert_allclose(out.vectors, want, atol=TOLERANCE, rtol=TOLERANCE)
    assert out.vectors.dtype == np.float32
    assert out.used == {"layers": [2, 3, 4, 5], "max_length": LIMIT, "kind": "toy"}


# -- token-budget batches -------------------------------------------------------------------------


@pytest.mark.parametrize(("batch_size", "max_tokens"), [
    (1, 0), (2, 0), (3, 25), (64, 4096), (64, 60), (5, 1), (64, 0),
])
def test_vectors_are_the_same_whatever_the_batches_and_no_batch_exceeds_its_budget(batch_size,
                                                                                   max_tokens):
    backend = ToyBackend("toy", {"batch_size": batch_size, "max_tokens": max_tokens})
    got = backend.embed(ITEMS).vectors
    want = np.stack([textbook_of(item) for item in ITEMS])
    np.testing.assert_allclose(got, want, atol=TOLERANCE, rtol=TOLERANCE)
    one_at_a_time = ToyBackend("toy", {"batch_size": 1}).embed(ITEMS).vectors
    np.testing.assert_allclose(got, one_at_a_time, atol=SAME, rtol=0)
    for rows, width in backend.calls:
        assert rows <= batch_size
        assert not max_tokens or rows == 1 or rows * width <= max_tokens, (rows, width)
    assert sum(rows for rows, _ in backend.calls) == UNIQUE_TEXTS  # each text runs once
    if not max_tokens:
        assert len(backend.calls) == -(-UNIQUE_TEXTS // batch_size)  # full batches


def test_each_unique_text_runs_once():
    """Moved here from tests/test_hf.py (a tiny BERT there)."""
    backend = ToyBackend("toy", {"batch_size": 2, "layers": "-1"})
    text = "A mouse saw a rat."
    backend.embed([Item(text, (2, 7)), Item(text, (14, 17)), Item(text, None),
                   Item("Other text.", (0, 5))])
    assert sum(rows for rows, _ in backend.calls) == 2  # two unique texts
    assert sorted(backend.tokenizer.texts) == sorted([text, "Other text."])


def test_padding_never_leaks_into_a_vector():
    """Padded positions of the toy model hold 1e4: a leak would move a vector by far more than
    SAME."""
    target = Item("The steak is very greasy.", (18, 24))
    long = Item(*mouse_after(40))  # 44 tokens
    backend = ToyBackend("toy", {"layers": "0,-1", "layer_pool": "concat"})
    alone = backend.embed([target]).vectors[0]
    together = backend.embed([long, target, Item(target.text, None)]).vectors
    assert backend.calls[-1] == (2, 44)  # the target's sequence padded to the long one's width
    np.testing.assert_allclose(together[1], alone, atol=SAME, rtol=0)
    assert np.abs(together).max() < JUNK / 10


def test_token_budget_batches():
    """Moved here from tests/test_hf.py: boundaries of batches over length-sorted sequences."""
    assert token_budget_batches(np.array([5, 5, 5, 10, 10, 20, 200]), 3, 40) == [0, 3, 5, 6, 7]
    assert token_budget_batches(np.array([5, 5, 5, 5]), 64, 0) == [0, 4]
    assert token_budget_batches(np.array([900]), 64, 100) == [0, 1]  # alone, even if over
    assert token_budget_batches(np.array([], dtype=int), 4, 10) == [0]
    assert token_budget_batches(np.array([1, 2, 3, 4, 5]), 2, 0) == [0, 2, 4, 5]
    # 4 x 10 = 40 fits a budget of 40; a fifth sequence of 10 would not
    assert token_budget_batches(np.array([10] * 5), 64, 40) == [0, 4, 5]


def test_pad_batch_pads_on_the_right_and_masks_the_padding():
    ids, mask = pad_batch([np.array([1, 5, 2]), np.array([1, 2]), np.array([1, 6, 7, 2])], 0)
    np.testing.assert_array_equal(ids, [[1, 5, 2, 0], [1, 2, 0, 0], [1, 6, 7, 2]])
    np.testing.assert_array_equal(mask, [[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]])
    assert ids.dtype == mask.dtype == np.int64


# -- windows, sentences, decoder-only reading ----------------------------------------------------


@pytest.mark.parametrize(("at", "window", "target"), [
    (45, WORDS[41:45] + ["mouse"] + WORDS[45:50], [5]),
    (0, ["mouse"] + WORDS[:9], [1]),
    (60, WORDS[51:] + ["mouse"], [10]),
])
def test_a_long_text_is_read_in_a_window_centred_on_the_target(at, window, target):
    words = WORDS[:at] + ["mouse"] + WORDS[at:]
    start = len(" ".join(words[:at])) + (1 if at else 0)
    backend = ToyBackend("toy", {"max_length": 12})
    got = backend.embed([Item(" ".join(words), (start, start + 5))]).vectors[0]
    want = textbook_vector(MODEL, sequence(" ".join(window)), target)
    np.testing.assert_allclose(got, want, atol=TOLERANCE, rtol=TOLERANCE)
    assert backend.used()["max_length"] == 12
    assert backend.calls == [(1, 12)]


def test_a_whole_sentence_is_the_mean_over_every_token_of_the_pooled_layers():
    text = "A mouse is a rodent animal."
    got = ToyBackend("toy", {"layers": "0,5", "layer_pool": "mean"}).embed([Item(text)]).vectors
    states = MODEL.states(sequence(text))
    want = ((states[0] + states[5]) / 2).mean(axis=0)  # [CLS] and [SEP] included
    np.testing.assert_allclose(got[0], want, atol=TOLERANCE, rtol=TOLERANCE)


def test_a_cut_sentence_is_logged_and_reads_its_first_tokens(caplog):
    """Moved here from tests/test_hf.py (a tiny BERT there); the vector is checked too."""
    backend = ToyBackend("toy", {"layers": "-1"}, sentence_limit=6)
    text = " ".join(WORDS[:10])
    with caplog.at_level(logging.WARNING, logger="harness.backends"):
        got = backend.embed([Item(text, None), Item(text, (0, 2))]).vectors
    assert "toy: 1 whole-sentence contexts are longer than 6 tokens" in caplog.text
    want = textbook_vector(MODEL, sequence("w0 w1 w2 w3"), None, [-1])
    np.testing.assert_allclose(got[0], want, atol=TOLERANCE, rtol=TOLERANCE)
    word = textbook_vector(MODEL, sequence(text), [1], [-1])  # a word's text is not cut
    np.testing.assert_allclose(got[1], word, atol=TOLERANCE, rtol=TOLERANCE)
    assert backend.used()["sentence_max_length"] == 6


def test_a_decoder_only_model_reads_a_word_in_the_second_copy_of_its_text():
    backend = ToyBackend(repeat=True)
    got = backend.embed([Item("A mouse.", (2, 7)), Item("A mouse.", None)]).vectors
    word = textbook_vector(MODEL, sequence("A mouse. A mouse."), [5], AUTO)
    sentence = textbook_vector(MODEL, sequence("A mouse."), None, AUTO)
    np.testing.assert_allclose(got, [word, sentence], atol=TOLERANCE, rtol=TOLERANCE)


def test_an_item_that_cannot_be_aligned_is_a_nan_row_with_its_reason():
    items = [Item("The pirate sailed.", (6, 9)), Item("A mouse.", (2, 7))]
    out = ToyBackend().embed(items)
    assert np.isnan(out.vectors[0]).all() and np.isfinite(out.vectors[1]).all()
    assert list(out.reasons) == [0] and "covers only part of the word piece(s)" in out.reasons[0]
    none = ToyBackend().embed(items[:1])
    assert none.vectors.shape == (1, 1) and np.isnan(none.vectors).all()


def test_no_items_load_no_model():
    backend = ToyBackend()
    assert backend.embed([]).vectors.shape == (0, 0)
    assert backend.loads == 0 and backend.used() == {}


def test_the_model_loads_once():
    backend = ToyBackend()
    backend.embed([Item("A mouse.", (2, 7))])
    backend.embed([Item("A rat.", (2, 5))])
    backend.sweep_settings()
    assert backend.loads == 1


# -- max_length -----------------------------------------------------------------------------------


@pytest.mark.parametrize("max_length", [2, LIMIT + 1])
def test_max_length_outside_the_model_is_an_error_that_names_the_limit(max_length):
    backend = ToyBackend("toy", {"max_length": max_length})
    with pytest.raises(OptionError, match=rf"^max_length={max_length}: this model takes 3 to "
                       rf"{LIMIT} tokens \(its position limit, 2 special tokens included\); 0 "
                       "takes the limit$"):
        backend.embed([Item("A mouse.", (2, 7))])


def test_max_length_at_its_bounds_is_taken():
    for max_length in (3, LIMIT):
        backend = ToyBackend("toy", {"max_length": max_length})
        assert np.isfinite(backend.embed([Item("A mouse.", (2, 7))]).vectors).all()
        assert backend.used()["max_length"] == max_length


# -- forward passes shared by pooling variants ----------------------------------------------------

VARIANTS = [{"layers": "-1"},
            {"layers": "0,1,2", "layer_pool": "concat", "subword_pool": "first"},
            {"layers": "1,2", "layer_pool": "mean", "subword_pool": "last",
             "postprocess": "center"},
            {"subword_pool": "sum"}]


def test_pooling_variants_share_one_forward_pass_and_equal_each_embedded_alone():
    group = [ToyBackend(f"v{i}", {**options, "batch_size": 3})
             for i, options in enumerate(VARIANTS)]
    assert len({b.share_key() for b in group}) == 1
    together = group[0].embed_shared(ITEMS, group)
    assert sum(rows for rows, _ in group[0].calls) == UNIQUE_TEXTS  # one pass per text
    assert all(not b.calls for b in group[1:])
    for options, out in zip(VARIANTS, together):
        alone = ToyBackend("alone", {**options, "batch_size": 3}).embed(ITEMS)
        np.testing.assert_allclose(out.vectors, alone.vectors, atol=SAME, rtol=0)
        assert out.used == alone.used


def test_a_variant_with_bad_layers_gets_its_error_and_the_others_their_vectors():
    good, bad = ToyBackend("good", {"layers": "-1"}), ToyBackend("bad", {"layers": "-9"})
    out = good.embed_shared(ITEMS, [good, bad])
    assert isinstance(out[1], OptionError) and "layers=-9" in str(out[1])
    np.testing.assert_allclose(out[0].vectors, ToyBackend("x", {"layers": "-1"}).embed(ITEMS)
                               .vectors, atol=SAME, rtol=0)


def test_a_lead_variant_with_bad_layers_does_not_fail_the_others():
    good, bad = ToyBackend("good", {"layers": "-1"}), ToyBackend("bad", {"layers": "-9"})
    out = bad.embed_shared(ITEMS, [bad, good])
    assert isinstance(out[0], OptionError) and not isinstance(out[1], Exception)


def test_backends_of_other_forward_settings_cannot_share():
    a = ToyBackend("a")
    for options in ({"batch_size": 3}, {"max_length": 12}, {"max_tokens": 10}):
        other = ToyBackend("b", options)
        assert other.share_key() != a.share_key()
        with pytest.raises(ValueError, match="embed_shared takes backends of one model"):
            a.embed_shared(ITEMS, [a, other])
    other_weights = ToyBackend("c", model=ToyModel(layers=2))
    assert other_weights.share_key() != a.share_key()


class OwnSentences(ToyBackend):
    """A backend with a sentence pooling of its own: the first token's first layer."""

    def sentence_vectors(self, hidden, pooled, mask, rows):
        return np.asarray(hidden[1], dtype=np.float32)[rows, 0]


def test_sentence_and_word_vectors_of_other_widths_are_an_error_for_that_variant():
    long = " ".join(WORDS[:20]) + " mouse."
    items = [Item("A b.", None), Item(long, (long.index("mouse"), len(long) - 1))]
    plain = ToyBackend("plain", {"layers": "1,2"})
    concat = OwnSentences("own", {"layers": "1,2", "layer_pool": "concat"})
    with pytest.raises(ValueError, match=r"own: whole-sentence vectors have \d+ dimensions but "
                       r"word vectors \d+ \(layer_pool=concat\?\), so they cannot be compared"):
        concat.embed(items)
    assert np.isfinite(plain.embed(items).vectors).all()


def test_the_width_error_names_each_width_rightly_whatever_batch_comes_first():
    long = " ".join(WORDS[:20]) + " mouse."
    items = [Item("A b.", None), Item(long, (long.index("mouse"), len(long) - 1))]
    concat = OwnSentences("own", {"layers": "1,2", "layer_pool": "concat", "batch_size": 1})
    with pytest.raises(ValueError, match="whole-sentence vectors have 6 dimensions but word "
                       "vectors 12"):
        concat.embed(items)


# -- capabilities and what is on record ----------------------------------------------------------


def test_it_has_every_capability():
    backend = ToyBackend()
    assert isinstance(backend, SharesForward) and isinstance(backend, Sweepable)
    assert isinstance(backend, NeedsResources)


def test_sweep_settings_are_every_layer_and_every_pooling():
    assert ToyBackend(model=ToyModel(layers=2)).sweep_settings() == [
        {"layers": "0"}, {"layers": "1"}, {"layers": "2"},
        {"subword_pool": "mean"}, {"subword_pool": "first"}, {"subword_pool": "last"},
        {"subword_pool": "sum"},
        {"layer_pool": "sum"}, {"layer_pool": "mean"}, {"layer_pool": "concat"}]


@pytest.mark.parametrize(("device", "gpus"), [("cpu", 0), ("mps", 0), ("cuda", 1), ("cuda:1", 1)])
def test_resources_ask_for_a_gpu_on_cuda_only(device, gpus):
    assert ToyBackend("toy", {"device": device}).resources() == {"num_cpus": 1, "num_gpus": gpus}


def test_used_names_the_layers_and_lengths_and_what_the_model_says():
    backend = ToyBackend("toy", {"layers": "-1,0"}, sentence_limit=20)
    assert backend.used() == {}
    backend.embed([Item("A mouse.", (2, 7))])
    assert backend.used() == {"layers": [5, 0], "max_length": LIMIT, "sentence_max_length": 20,
                              "kind": "toy"}
    short = ToyBackend("toy", {"max_length": 12}, sentence_limit=20)
    short.embed([Item("A mouse.", (2, 7))])
    assert short.used() == {"layers": [2, 3, 4, 5], "max_length": 12, "kind": "toy"}


def test_the_fingerprint_follows_the_vectors_not_the_batches_or_device():
    base = ToyBackend().fingerprint()
    for options in ({"batch_size": 3}, {"max_tokens": 0}, {"device": "cuda"}):
        assert ToyBackend("toy", options).fingerprint() == base
    changed = [ToyBackend("toy", options).fingerprint() for options in (
        {"layers": "-1"}, {"layer_pool": "mean"}, {"subword_pool": "first"}, {"max_length": 12})]
    assert len({base, *changed}) == 5
    assert ToyBackend(model=ToyModel(layers=2)).fingerprint() != base  # other weights


def test_importing_the_backend_core_imports_no_framework():
    code = ("import sys, harness.backend.transformer, harness.backend.alignment, tests.toy_models\n"
            "print(sorted(m for m in ('torch', 'tensorflow', 'transformers') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]", done.stderr
