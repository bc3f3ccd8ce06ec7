"""The built-in backends (and the fake one) pass the plugin conformance kit."""

from __future__ import annotations

import pytest

from harness.plugins.manager import make_plugin_host
from harness.testing import FakeBackend
from harness.testing.conformance import TRICKY, BackendConformance


def registered(name: str):
    backend = make_plugin_host().registry().create(name)
    if not backend.availability().ok:
        pytest.fail(f"{name} must be available in the test environment: "
                    f"{backend.availability().explain()}")
    return backend


class TestFakeBackend(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        return FakeBackend("fake")


class TestStaticGlove(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        return registered("glove-50d")


@pytest.mark.slow
class TestHfMinilm(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        pytest.importorskip("torch")
        return registered("minilm")


@pytest.mark.slow
class TestTfMinilm(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        pytest.importorskip("tensorflow")
        return registered("minilm-tf")


def test_the_kit_catches_a_backend_that_ignores_spans():
    from harness.backend import Item

    class IgnoresSpans(FakeBackend):
        def embed_batch(self, items):
            return super().embed_batch([Item(i.text, None) for i in items])

    with pytest.raises(AssertionError, match="two words of one text got one vector"):
        BackendConformance().test_spans_pick_their_words(IgnoresSpans("lazy"))


def test_the_kit_accepts_a_vocabulary_without_a_word_when_it_says_why():
    cased = make_plugin_host().registry().create("glove-50d:lowercase=false")
    kit = BackendConformance()
    vectors = cased.embed(TRICKY).vectors
    kit.test_tricky_spans_get_real_vectors(cased, vectors)  # "Mouse", "CAFÉ": unknown, said so
