"""The built-in backends (and the fake one) pass the plugin conformance kit."""

from __future__ import annotations

import pytest

from harness.plugins.manager import make_plugin_host
from harness.testing import FakeBackend
from harness.testing.conformance import BackendConformance


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


class TestHfMinilm(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        pytest.importorskip("torch")
        return registered("minilm")


class TestTfMinilm(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        pytest.importorskip("tensorflow")
        return registered("minilm-tf")
