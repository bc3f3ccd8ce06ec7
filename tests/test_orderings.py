"""Scoring: margins, ties, cross-context expectations, whole-sentence contexts, unscored rows."""

from __future__ import annotations

import numpy as np
import pytest

from harness.measures.orderings import TIE_TOLERANCE
from harness.measures.vectors import cosine
from harness.pipeline.runner import run_suites
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import QUARTET

MOUSE = "A mouse is a rodent animal."
DEVICE = "A mouse is a computer device."


def fake(vectors, **options):
    return FakeBackend("fake", {"vectors": vectors, "dim": 3, **options})


def rows_by_expectation(results):
    return {r.expectation: r for r in results.rows}


def test_cosine():
    assert cosine(np.array([1.0, 0]), np.array([1.0, 1])) == pytest.approx(2 ** -0.5)
    assert np.isnan(cosine(np.array([0.0, 0]), np.array([1.0, 1])))


def test_margins_pass_and_fail(write_suite):
    suite = load_suite(write_suite(QUARTET))
    vectors = {
        MOUSE: [1, 0, 0], DEVICE: [0, 1, 0],
        "rat": [0.9, 0.1, 0], "keyboard": [0.15, 0.95, 0],
    }
    rows = rows_by_expectation(run_suites([suite], [fake(vectors)]))
    animal = rows["mouse1: rat > keyboard"]
    assert animal.passed and not animal.tie
    assert animal.margin == pytest.approx(animal.sim_closer - animal.sim_farther)
    assert animal.sim_closer == pytest.approx(0.9 / np.hypot(0.9, 0.1))
    device = rows["mouse2: keyboard > rat"]  # needs margin 0.1
    assert device.required_margin == 0.1
    assert device.margin > 0.1 and device.passed
    # cross-context: rat is closer to the animal mouse than to the device mouse
    assert rows["rat: mouse1 > mouse2"].passed


def test_margin_not_exceeded_fails(write_suite):
    suite = load_suite(write_suite(QUARTET))
    vectors = {MOUSE: [1, 0, 0], DEVICE: [0, 1, 0], "rat": [0.9, 0.1, 0],
               "keyboard": [1, 0.16, 0]}
    row = rows_by_expectation(run_suites([suite], [fake(vectors)]))["mouse2: keyboard > rat"]
    assert 0 < row.margin < 0.1 and not row.passed and not row.tie


def test_equal_vectors_tie_and_fail(write_suite):
    suite = load_suite(write_suite(QUARTET))
    # a type-level model: both mice get the same vector
    vectors = {"mouse": [1, 0.2, 0], "rat": [0.9, 0.1, 0], "keyboard": [0.1, 0.9, 0]}
    results = run_suites([suite], [fake(vectors)])
    row = rows_by_expectation(results)["rat: mouse1 > mouse2"]
    assert row.tie and not row.passed and row.margin == 0
    assert results.summary_rows[0].ties == 1


def test_near_equal_within_tolerance_is_a_tie(write_suite):
    suite = load_suite(write_suite(QUARTET))
    eps = TIE_TOLERANCE / 10
    vectors = {MOUSE: [1, 0, 0], DEVICE: [1, eps, 0], "rat": [1, 0, 0], "keyboard": [0, 1, 0]}
    row = rows_by_expectation(run_suites([suite], [fake(vectors)]))["rat: mouse1 > mouse2"]
    assert row.tie and not row.passed


def test_whole_sentence_contexts(write_suite):
    path = write_suite("""\
        suite: sentences
        tests:
          - id: s
            contexts:
              a: {text: "A cat sat."}
              b: {text: "A kitten sat."}
              c: {text: "Stocks fell."}
            expect: ["a: b > c"]
        """)
    vectors = {"A cat sat.": [1, 0, 0], "A kitten sat.": [0.9, 0.2, 0], "Stocks fell.": [0, 0, 1]}
    backend = fake(vectors)
    results = run_suites([load_suite(path)], [backend], reference=False)
    assert results.rows[0].passed
    embedded = [item for call in backend.calls for item in call]
    assert all(item.span is None for item in embedded)


def test_missing_vector_is_unscored_never_a_pass(write_suite):
    suite = load_suite(write_suite(QUARTET))
    results = run_suites([suite], [fake({}, missing="keyboard")])
    rows = rows_by_expectation(results)
    row = rows["mouse1: rat > keyboard"]
    assert not row.passed and row.sim_closer is None and row.margin is None
    assert "keyboard: 'keyboard' is in the fake backend's missing list" in row.error
    summary = results.summary_rows[0]
    assert summary.unscored == 2 and summary.total == 3
    assert summary.passed == sum(r.passed for r in results.rows)


def test_summary_counts_tests(write_suite):
    suite = load_suite(write_suite(QUARTET + """\
  - id: second
    contexts:
      x: {text: "x y z", word: x}
      y: {text: "x y z", word: y}
      z: {text: "x y z", word: z}
    expect: ["x: y > z"]
"""))
    vectors = {MOUSE: [1, 0, 0], DEVICE: [0, 1, 0], "rat": [0.9, 0.1, 0],
               "keyboard": [0.15, 0.95, 0], "x": [1, 0, 0], "y": [0, 1, 0], "z": [1, 0.1, 0]}
    summary = run_suites([suite], [fake(vectors)]).summary_rows[0]
    assert (summary.passed, summary.total, summary.tests_passed, summary.tests_total) == (
        3, 4, 1, 2)
    assert summary.accuracy == 0.75
