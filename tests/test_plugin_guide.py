"""A third-party backend written from the plugin guide alone: the guide's example, run as it
stands on the page, through the plugin host, on a real suite and the conformance kit."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from harness.pipeline.runner import run_suites
from harness.plugin_api import Item, make_plugin_host
from harness.suites.validate import load_suite
from harness.testing.conformance import BackendConformance
from tests.helpers import POLYSEMY, ROOT

GUIDE = ROOT / "docs" / "writing-a-backend-plugin.md"


def guide_example() -> str:
    """The python block of the guide's section 2."""
    section = GUIDE.read_text().split("## 2. A complete example")[1].split("\n## ")[0]
    [code] = re.findall(r"```python\n(.+?)```", section, re.DOTALL)
    return code


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    path = tmp_path_factory.mktemp("guide") / "letters_plugin.py"
    path.write_text(guide_example())
    spec = importlib.util.spec_from_file_location("letters_plugin", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["letters_plugin"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["letters_plugin"]


def test_the_example_registers_and_scores_every_expectation(plugin):
    registry = make_plugin_host(autoload=False, strict=True, plugins=(plugin,)).registry()
    assert "letters" in registry.plugins and "letters-64" in registry.instances
    results = run_suites([load_suite(POLYSEMY)], [registry.create("letters:dim=128")])
    [summary] = results.summary_rows
    assert summary.status == "ok" and summary.total == 8 and summary.unscored == 0


def test_the_example_reports_why_a_row_is_missing(plugin):
    out = plugin.LettersBackend("l").embed([Item("short", (10, 14)), Item("A mouse.", (2, 7))])
    assert list(out.reasons) == [0] and "outside" in out.reasons[0]


class TestGuideExampleConformance(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls, plugin):
        return plugin.LettersBackend("letters", {"dim": 64})


EXAMPLE = ROOT / "examples" / "letters-plugin"


def test_the_guides_example_is_the_installable_package_word_for_word():
    assert guide_example().removeprefix("# letters_backend/plugin.py\n") == (
        EXAMPLE / "letters_backend" / "plugin.py").read_text()
    section = GUIDE.read_text().split("## 6. The package and its entry point")[1].split("\n## ")[0]
    [toml] = re.findall(r"```toml\n(.+?)```", section, re.DOTALL)
    assert toml.removeprefix("# pyproject.toml of your package\n") == (
        EXAMPLE / "pyproject.toml").read_text()


def test_the_example_package_bounds_the_wic_harness_it_is_written_for():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    import harness

    for pyproject in (EXAMPLE / "pyproject.toml",
                      ROOT / "plugins" / "wic-harness-onnx" / "pyproject.toml"):
        project = tomllib.loads(pyproject.read_text())["project"]
        [bound] = [d for d in project["dependencies"] if d.startswith("wic-harness")]
        major, minor = harness.__version__.split(".")[:2]
        assert bound.startswith(f"wic-harness>={major}.{minor},<"), (pyproject, bound)
