"""What several test modules share: paths of the repository and small suites. Imported by the
tests themselves (never through conftest.py, which holds fixtures only)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLYSEMY = ROOT / "suites" / "polysemy.yaml"
# The built-in report formats, in the order they are registered and written.
BUILT_IN_REPORTS = ["results.json", "similarities.parquet", "results.csv", "correlations.csv",
                    "pairs.csv", "report.md", "junit.xml", "report.html"]

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
