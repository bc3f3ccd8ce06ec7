"""Every model family transformers loads: the hf backend's vectors equal a reference computed
with transformers directly (tests/model_families.py) to 1e-5, for targets of one and several
pieces, after a space or punctuation, at the start, a second occurrence, several words and long
texts; and polysemy.yaml is scored whole, with the layers and contexts used on record."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backend import Item
from harness.pipeline.runner import run_suites
from harness.suites.validate import load_suite
from tests.helpers import POLYSEMY
from tests.model_families import CASES, DECODER_ONLY, LIMIT, LONG_CASES, reference_vectors

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread")]

TOLERANCE = 1e-5  # float32 models, summed layers: the sums come in another order than one at
# a time, padded in batches


def hf(folder, **options):
    from harness_backends.hf import HfBackend

    return HfBackend("family", {"model": str(folder), **options})


def contexts_of(family_name):
    return ("repeat", "left") if family_name in DECODER_ONLY else ("repeat",)


def shares_a_piece_with_another_word(folder, text: str, span: tuple[int, int]) -> bool:
    """Whether a token of the target also holds letters of another word ("▁mouse,▁rat": a
    tokenizer that merges across spaces), by the tokenizer's own offsets."""
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    offsets = tokenizer(text, return_offsets_mapping=True)["offset_mapping"]
    mine = [(a, b) for a, b in offsets
            if any(not c.isspace() for c in text[max(a, span[0]):min(b, span[1])])]
    return any(c.isalnum() for a, b in mine for c in text[a:span[0]] + text[span[1]:b])


def test_word_vectors_equal_the_reference_or_are_refused_with_the_piece(family):
    name, folder = family
    items = [Item(*case) for case in CASES.values()]
    merged = {i for i, item in enumerate(items)
              if shares_a_piece_with_another_word(folder, *item)}
    scored = [i for i in range(len(items)) if i not in merged]
    for context in contexts_of(name):
        got = hf(folder, decoder_context=context).embed(items)
        assert set(got.reasons) == merged, got.reasons
        for i in merged:
            assert "covers only part of the word piece(s)" in got.reasons[i]
        want = reference_vectors(folder, [items[i] for i in scored], decoder_context=context
                                 if name in DECODER_ONLY else "left")
        np.testing.assert_allclose(got.vectors[scored], want, atol=TOLERANCE, rtol=TOLERANCE,
                                   err_msg=f"{name}, decoder_context={context}")


def test_long_texts_keep_a_window_around_the_target_within_the_position_limit(family):
    name, folder = family
    items = [Item(*case) for case in LONG_CASES.values()]
    backend = hf(folder, decoder_context="left")
    got = backend.embed(items)
    assert not got.reasons, got.reasons
    assert backend.used()["max_length"] == LIMIT  # RoBERTa-style offsets included
    want = reference_vectors(folder, items, max_length=LIMIT)
    np.testing.assert_allclose(got.vectors, want, atol=TOLERANCE, rtol=TOLERANCE, err_msg=name)


def test_polysemy_is_scored_whole_with_what_was_used_on_record(family):
    name, folder = family
    results = run_suites([load_suite(POLYSEMY)], [hf(folder)])
    record = results.backends["family"]
    assert record.status == "ok", record.error
    [summary] = results.summary_rows
    assert summary.total == 8 and summary.unscored == 0
    assert record.used["layers"] == [1, 2]  # a 2-layer model: every transformer layer
    kind = record.used["kind"]
    if name in DECODER_ONLY:
        assert (kind, record.used["decoder_context"]) == ("decoder-only", "repeat")
    else:
        assert kind == ("encoder-decoder" if name in {"t5", "mt5", "bart"} else "encoder")
        assert "decoder_context" not in record.used


@pytest.mark.parametrize("name", sorted(DECODER_ONLY))
def test_whole_sentences_of_a_decoder_only_model_are_its_last_tokens_state(name, family_folder):
    folder = family_folder(name)
    import torch
    import transformers

    text = "A mouse is a rodent animal."
    got = hf(folder).embed([Item(text, None)]).vectors[0]
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModel.from_pretrained(folder).eval()
    with torch.no_grad():
        states = model(**tokenizer(text, return_tensors="pt"), output_hidden_states=True)
    want = sum(states.hidden_states[j][0, -1].double().numpy() for j in (1, 2))
    np.testing.assert_allclose(got, want, atol=TOLERANCE, rtol=TOLERANCE)
