"""Self-test of tests/model_families.py: every family builds, loads back with a fast tokenizer
that has offsets, and reference_vectors gives finite vectors of the model's width for every
kind of target."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.model_families import (
    CASES,
    CORPUS,
    DECODER_ONLY,
    LIMIT,
    LONG,
    LONG_CASES,
    SMALL,
    build,
    item,
    reference_vectors,
    target_tokens,
)

pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread")]

WIDTH = SMALL["hidden_size"]
NO_PAD = {"gpt2", "llama"}
# Families whose word tokens' offsets include the space before the word ("▁mouse" or
# "Ġmouse" at (1, 7) in "A mouse"); the others start at the word itself.
SPACE_IN_OFFSETS = {"unigram-metaspace", "deberta-v2", "modernbert", "gpt2", "llama", "qwen2"}
BYTE_FALLBACK = {"llama": 256}  # <0x00> to <0xFF> pieces beside the trained vocabulary


def test_the_folder_loads_back_with_a_fast_tokenizer_that_has_offsets(family):
    name, folder = family
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    config = transformers.AutoConfig.from_pretrained(folder)
    model = getattr(transformers, config.architectures[0]).from_pretrained(folder)
    assert tokenizer.is_fast
    assert model.config.num_hidden_layers == 2
    assert 100 < len(tokenizer) - BYTE_FALLBACK.get(name, 0) <= 400
    assert len(tokenizer) <= model.config.vocab_size
    offsets = tokenizer("A mouse.", return_offsets_mapping=True)["offset_mapping"]
    assert any(end > start for start, end in offsets)
    assert (tokenizer.pad_token is None) == (name in NO_PAD)


def test_the_loaded_tokenizer_tokenizes_like_its_tokenizer_json(family):
    """transformers 5 rebuilds a family class's pipeline on loading; it must match the one the
    vocabulary was trained with, so no corpus text meets an unknown token."""
    from tokenizers import Tokenizer

    _, folder = family
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    saved = Tokenizer.from_file(str(folder / "tokenizer.json"))
    for text in CORPUS:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert ids == saved.encode(text, add_special_tokens=False).ids
        assert tokenizer.unk_token_id not in ids


def test_a_second_build_tokenizes_alike_and_has_the_same_weights(family, tmp_path):
    """Seeded weights; vocabularies made deterministic (see model_families._train)."""
    name, folder = family
    again = build(name, tmp_path)
    first, second = (transformers.AutoTokenizer.from_pretrained(f) for f in (folder, again))
    for text in CORPUS:
        assert first(text)["input_ids"] == second(text)["input_ids"]
    weights = "model.safetensors"
    assert (folder / weights).read_bytes() == (again / weights).read_bytes()


def test_word_offsets_include_the_space_before_only_where_expected(family):
    name, folder = family
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    text, span = CASES["single piece"]
    (token,) = target_tokens(tokenizer, text, span)
    start, end = tokenizer(text, return_offsets_mapping=True)["offset_mapping"][token]
    assert end == span[1]
    assert start == (span[0] - 1 if name in SPACE_IN_OFFSETS else span[0])


@pytest.mark.parametrize("family", ["gpt2"], indirect=True)
def test_a_token_of_only_whitespace_inside_a_multi_word_target_is_left_out(family):
    _, folder = family
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    text, span = item("She sat on the river  bank.", "river  bank")
    tokens = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
    assert tokens[-4:-1] == ["Ġriver", "Ġ", "Ġbank"]
    assert [tokens[i] for i in target_tokens(tokenizer, text, span)] == ["Ġriver", "Ġbank"]


def test_reference_vectors_of_every_kind_of_target(family):
    _, folder = family
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    pieces = {case: len(target_tokens(tokenizer, *it)) for case, it in CASES.items()}
    assert pieces["single piece"] == 1 and pieces["several pieces"] > 1
    assert pieces["multi-word"] >= 2

    vectors = reference_vectors(folder, list(CASES.values()))
    assert vectors.shape == (len(CASES), WIDTH)
    assert np.isfinite(vectors).all()
    first = reference_vectors(folder, [item("A mouse saw another mouse.", "mouse")])[0]
    assert not np.allclose(first, vectors[list(CASES).index("second occurrence")])


def test_reference_vectors_of_a_text_longer_than_the_position_limit(family):
    _, folder = family
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    assert len(tokenizer(LONG)["input_ids"]) > 2 * LIMIT
    vectors = reference_vectors(folder, list(LONG_CASES.values()), max_length=LIMIT)
    assert vectors.shape == (len(LONG_CASES), WIDTH)
    assert np.isfinite(vectors).all()
    # a short text is never cut
    short = [CASES["several pieces"]]
    np.testing.assert_array_equal(reference_vectors(folder, short, max_length=LIMIT),
                                  reference_vectors(folder, short))


@pytest.mark.parametrize("family", sorted(DECODER_ONLY), indirect=True)
def test_decoder_context_repeat_reads_the_target_in_the_second_copy(family):
    _, folder = family
    items = [CASES["single piece"], CASES["multi-word"]]
    left = reference_vectors(folder, items)
    repeat = reference_vectors(folder, items, decoder_context="repeat")
    assert repeat.shape == left.shape and np.isfinite(repeat).all()
    assert not np.allclose(left, repeat)
    long = reference_vectors(folder, [LONG_CASES["in the middle"]], decoder_context="repeat",
                             max_length=LIMIT)
    assert np.isfinite(long).all()


@pytest.mark.parametrize("family", ["roberta"], indirect=True)
def test_roberta_has_limit_plus_two_positions_and_no_model_max_length(family):
    _, folder = family
    settings = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert "model_max_length" not in settings
    assert transformers.AutoTokenizer.from_pretrained(folder).model_max_length > 10**9
    assert transformers.AutoConfig.from_pretrained(folder).max_position_embeddings == LIMIT + 2
    target = [LONG_CASES["in the middle"]]
    assert np.isfinite(reference_vectors(folder, target, max_length=LIMIT)).all()
    with pytest.raises((IndexError, RuntimeError)):  # position ids start after padding_idx=1
        reference_vectors(folder, target, max_length=LIMIT + 1)


@pytest.mark.parametrize("family", ["bert"], indirect=True)
def test_a_whole_sentence_item_has_no_reference(family):
    _, folder = family
    with pytest.raises(NotImplementedError):
        reference_vectors(folder, [("A mouse.", None)])
