"""A conformance kit for backend plugins: subclass `BackendConformance` in your tests and give
it a `backend` fixture; every test below then runs against your backend.

    from harness.testing.conformance import BackendConformance

    class TestMyBackend(BackendConformance):
        @pytest.fixture(scope="class")
        @classmethod
        def backend(cls):
            return MyBackend("mine", {"model": "..."})

The tests check what the harness relies on (the contract of `harness.plugin_api.Backend`): the
shape and dtype of vectors, a reason for every missing row, determinism, batch invariance, span
alignment on tricky texts, whole-sentence contexts, availability reporting, fingerprint
stability, and clear errors on bad input.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from harness.plugin_api import (
    Availability,
    Backend,
    Embeddings,
    Item,
    ModelCard,
    OptionError,
    locate_word,
)


def item(text: str, word: str | None, occurrence: int | None = None) -> Item:
    return Item(text, None if word is None else locate_word(text, word, occurrence))


# Word pieces, punctuation beside the word, accents and upper case, the first and the last word.
TRICKY = [
    item("A mouse is a rodent animal.", "rodent"),
    item("Mouse droppings were everywhere", "Mouse"),
    item("The tower began to lean.", "lean"),
    item("The CAFÉ's terrace was (really) crowded!", "CAFÉ"),
    item('He said: "bank," then left.', "bank"),
    item("She sat on the bank and the bank was muddy", "bank", 2),
]
SENTENCES = [item("A rat is an animal that lives in the sewers.", None),
             item("Stocks fell sharply today.", None)]
_PLAIN = "The old man saw a small dog near the river bank."
_FILLER = [item("A much longer sentence that pads the others with many positions, so that "
               "padding would show if it leaked into the vectors of real tokens.", "padding")]
TOLERANCE = 1e-5


def _vectors_of(backend: Backend, items: list[Item]) -> np.ndarray:
    out = backend.embed(items)
    assert isinstance(out, Embeddings), "embed returns Embeddings(vectors, reasons)"
    return np.asarray(out.vectors)


class BackendConformance:
    """Tests every backend must pass. Subclasses provide the `backend` fixture."""

    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls) -> Backend:  # pragma: no cover - overridden
        raise NotImplementedError("give the conformance tests a `backend` fixture")

    @pytest.fixture(scope="class")
    @classmethod
    def vectors(cls, backend: Backend) -> np.ndarray:
        return _vectors_of(backend, TRICKY + SENTENCES)

    def test_is_a_backend_with_a_plugin_name(self, backend):
        assert isinstance(backend, Backend)
        assert backend.plugin and isinstance(backend.plugin, str)

    def test_reports_its_availability(self, backend):
        availability = backend.availability()
        assert isinstance(availability, Availability)
        assert availability.ok, f"the backend under test must be available: {availability}"

    def test_shape_and_dtype(self, backend, vectors):
        assert vectors.ndim == 2 and vectors.shape[0] == len(TRICKY + SENTENCES)
        assert vectors.shape[1] > 0
        assert np.issubdtype(vectors.dtype, np.floating)
        assert _vectors_of(backend, []).shape[0] == 0

    def test_tricky_spans_get_real_vectors(self, backend, vectors):
        reasons = backend.embed(TRICKY).reasons
        for index, target in enumerate(TRICKY):
            vector = vectors[index]
            if not np.isfinite(vector).all() and backend.context_free:
                # a vocabulary may lack a word (a cased one lacks "Mouse"): then say why
                assert reasons.get(index), f"no vector and no reason: {target}"
                continue
            assert np.isfinite(vector).all(), f"a tricky span got no vector: {target}"
            assert np.linalg.norm(vector) > 0, f"a zero vector: {target}"

    def test_every_missing_row_has_a_reason(self, backend):
        out = backend.embed(TRICKY + SENTENCES)
        missing = np.flatnonzero(~np.isfinite(np.asarray(out.vectors)).all(axis=1))
        assert all(out.reasons.get(int(i)) for i in missing), "a missing row without a reason"
        assert all(0 <= i < len(out.vectors) for i in out.reasons)

    def test_every_whole_word_of_a_plain_sentence_gets_a_vector(self, backend):
        words = [Item(_PLAIN, m.span()) for m in re.finditer(r"\w+", _PLAIN)]
        out = backend.embed(words)
        unscored = {words[i].word: why for i, why in out.reasons.items()}
        assert not unscored, f"whole words of a plain sentence got no vector: {unscored}"
        assert np.isfinite(np.asarray(out.vectors)).all()

    def test_spans_pick_their_words(self, backend):
        text = "The cat chased the dog."
        cat, dog, whole = _vectors_of(backend,
                                      [item(text, "cat"), item(text, "dog"), item(text, None)])
        assert not np.allclose(cat, dog, atol=1e-4), "two words of one text got one vector"
        assert not np.allclose(cat, whole, atol=1e-4), "a word got its sentence's vector"

    def test_whole_sentence_contexts(self, vectors):
        sentences = vectors[len(TRICKY):]
        assert np.isfinite(sentences).all() and (np.linalg.norm(sentences, axis=1) > 0).all()

    def test_deterministic(self, backend, vectors):
        again = _vectors_of(backend, TRICKY + SENTENCES)
        np.testing.assert_allclose(again, vectors, atol=TOLERANCE, rtol=TOLERANCE)

    def test_batch_invariance(self, backend, vectors):
        for index in (0, len(TRICKY) - 1, len(TRICKY)):
            alone = _vectors_of(backend, [(TRICKY + SENTENCES)[index]])[0]
            np.testing.assert_allclose(alone, vectors[index], atol=TOLERANCE, rtol=TOLERANCE)
        mixed = _vectors_of(backend, _FILLER + [TRICKY[0]] + _FILLER)[1]
        np.testing.assert_allclose(mixed, vectors[0], atol=TOLERANCE, rtol=TOLERANCE)

    def test_order_does_not_matter(self, backend, vectors):
        reversed_ = _vectors_of(backend, (TRICKY + SENTENCES)[::-1])[::-1]
        np.testing.assert_allclose(reversed_, vectors, atol=TOLERANCE, rtol=TOLERANCE)

    def test_context_changes_a_word_vector(self, backend):
        if backend.context_free:
            pytest.skip("a context-free backend gives a word one vector everywhere")
        a, b = _vectors_of(backend, [item("I sat on the river bank.", "bank"),
                                     item("I paid at the bank counter.", "bank")])
        assert not np.allclose(a, b, atol=1e-4)

    def test_fingerprint_is_stable(self, backend):
        first = backend.fingerprint()
        assert isinstance(first, str) and first
        assert backend.fingerprint() == first
        twin = type(backend)(backend.name, dict(backend.options))
        assert twin.fingerprint() == first

    def test_versions_are_strings(self, backend):
        versions = backend.versions()
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items())

    def test_card_when_given_is_a_model_card(self, backend):
        card = backend.card()
        if card is None:
            pytest.skip("the backend gives no model card (optional)")
        assert isinstance(card, ModelCard), "card() returns a ModelCard or None"
        data = card.to_dict()
        json.dumps(data)  # results.json holds it
        assert ModelCard.from_dict(data) == card, "a card's fields are of their declared types"
        assert backend.card() == card, "card() gives the same card each time"

    def test_unknown_option_is_a_clear_error(self, backend):
        with pytest.raises(OptionError, match="unknown option"):
            type(backend)(backend.name, {"no_such_option_anywhere": "1"})

    def test_a_span_outside_the_text_gives_a_reason_not_a_vector(self, backend):
        bad = Item("short", (10, 14))
        try:
            out = backend.embed([bad])
        except (ValueError, IndexError) as exc:  # an error is fine too, if it says what
            assert str(exc)
            return
        assert np.isnan(out.vectors).all(), "a span outside the text must not get a vector"
        assert out.reasons.get(0), "a missing vector needs its reason"
