"""The guide's plugin, installed: found through its entry point, scoring a shipped suite, and
passing wic-harness's conformance kit."""

import pytest

import harness
from harness.plugin_api import make_plugin_host
from harness.testing.conformance import BackendConformance
from letters_backend.plugin import LettersBackend


def test_the_entry_point_registers_the_plugin_and_its_instance():
    registry = make_plugin_host().registry()
    assert "letters" in registry.plugins and "letters-64" in registry.instances


def test_it_scores_every_expectation_of_a_shipped_suite():
    results = harness.run(["polysemy"], ["letters-64"], cache=False)
    [summary] = results.summary_rows
    assert summary.status == "ok" and summary.total == 8 and summary.unscored == 0


class TestLettersConformance(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls):
        return LettersBackend("letters", {"dim": 64})
