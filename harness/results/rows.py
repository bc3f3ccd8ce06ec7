"""The rows of a finished run of the built-in kinds of test: an expectation scored
(`ExpectationResult`), a backend's totals on a suite (`SummaryRow`), a graded pair
(`PairResult`) and a graded test's correlation (`CorrelationResult`); results.json holds each
as an object of its fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation scored for one backend. `margin` is sim_closer - sim_farther; it must
    exceed `required_margin` to pass. `error` says why it could not be scored (then the
    similarities are None and it fails)."""

    backend: str
    suite: str
    test: str
    expectation: str
    sim_closer: float | None
    sim_farther: float | None
    margin: float | None
    required_margin: float
    passed: bool
    tie: bool
    error: str | None = None
    margin_sd: float | None = None  # the margin in standard deviations of the baseline
    weak: bool = False  # passed, with margin_sd below the run's weak threshold


@dataclass(frozen=True)
class SummaryRow:
    """Totals for one backend on one suite. A backend that could not run has status
    'unavailable' or 'error', its message in `error`, and accuracy None."""

    backend: str
    suite: str
    passed: int
    total: int
    accuracy: float | None
    ties: int
    tests_passed: int
    tests_total: int
    unscored: int = 0
    status: str = "ok"
    error: str | None = None
    weak: int = 0
    median_margin_sd: float | None = None
    graded_tests: int = 0
    median_spearman: float | None = None


@dataclass(frozen=True)
class PairResult:
    """One pair of a graded test for one backend: its rating and cosine (None, with `error`,
    when a side has no vector)."""

    backend: str
    suite: str
    test: str
    a: str
    b: str
    score: float
    cosine: float | None
    error: str | None = None


@dataclass(frozen=True)
class CorrelationResult:
    """How one backend's cosines track one graded test's ratings. `error` says why there is
    no correlation (too few scored pairs, or all cosines equal)."""

    backend: str
    suite: str
    test: str
    pairs: int
    scored: int
    unscored: int
    spearman: float | None
    spearman_ci: list[float] | None
    pearson: float | None
    pearson_ci: list[float] | None
    error: str | None = None
