"""Shared fixtures. Unit tests use a clean plugin host (no installed plugins) with the fake
backend; tests of the built-in backends load them through their real entry points."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.plugins.manager import make_plugin_host
from harness.testing import FakePlugin

ROOT = Path(__file__).resolve().parent.parent
POLYSEMY = ROOT / "suites" / "polysemy.yaml"


@pytest.fixture
def registry():
    """A registry with only the fake backend: installed plugins are not loaded."""
    return make_plugin_host(autoload=False, strict=True, plugins=(FakePlugin(),)).registry()


@pytest.fixture
def write_suite(tmp_path):
    """Write YAML text (dedented) to a file and return its path."""

    def write(text: str, name: str = "suite.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


QUARTET = """\
suite: toy
tests:
  - id: mouse
    contexts:
      mouse1: {text: "A mouse is a rodent animal.", word: mouse}
      mouse2: {text: "A mouse is a computer device.", word: mouse}
      rat: {text: "A rat is an animal.", word: rat}
      keyboard: {text: "A keyboard is a device.", word: keyboard}
    expect:
      - "mouse1: rat > keyboard"
      - {anchor: mouse2, closer: keyboard, farther: rat, margin: 0.1}
      - "rat: mouse1 > mouse2"
"""
