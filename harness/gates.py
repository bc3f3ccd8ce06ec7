"""Gates for CI: regressions against a baseline results.json, and a minimum accuracy.

A regression is an expectation that passed in the baseline, for the same backend name, and
fails now (an unscored one fails). A baseline made with other backend settings or another
version of a suite still gates, with a warning that says what changed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.results import Results


@dataclass(frozen=True)
class Regression:
    backend: str
    suite: str
    test: str
    expectation: str
    baseline_margin: float | None
    margin: float | None  # None: unscored now

    def __str__(self) -> str:
        now = "unscored" if self.margin is None else f"{self.margin:+.4f}"
        before = "?" if self.baseline_margin is None else f"{self.baseline_margin:+.4f}"
        return (f"{self.backend} / {self.suite} / {self.test}: '{self.expectation}' passed in "
                f"the baseline (margin {before}) and fails now (margin {now})")


@dataclass(frozen=True)
class BelowMinimum:
    backend: str
    suite: str
    accuracy: float
    minimum: float

    def __str__(self) -> str:
        return (f"{self.backend} / {self.suite}: accuracy {self.accuracy:.3f} is below the "
                f"minimum {self.minimum:.3f}")


@dataclass
class GateOutcome:
    regressions: list[Regression] = field(default_factory=list)
    below: list[BelowMinimum] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # which gates ran

    @property
    def failed(self) -> bool:
        return bool(self.regressions or self.below)


def load_results(path: str | Path) -> Results:
    """A results.json, or a HarnessError that names the file and what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(f"{path}: not a results.json ({exc})") from None
    try:
        return Results.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise HarnessError(f"{path}: not a results.json of schema 1 ({exc})") from None


def _changed_options(old: dict, new: dict) -> str:
    keys = sorted(set(old) | set(new))
    diffs = [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]
    return "; ".join(diffs)


def against_baseline(current: Results, baseline: Results) -> tuple[list[Regression], list[str]]:
    """Regressions of `current` against `baseline`, and warnings about what differs."""
    warnings = []
    for name, record in current.backends.items():
        old = baseline.backends.get(name)
        if old is None:
            warnings.append(f"backend {name} is not in the baseline: nothing to compare")
        elif old.fingerprint and record.fingerprint and old.fingerprint != record.fingerprint:
            what = _changed_options(old.options, record.options) or \
                "same options, other weights or files"
            warnings.append(f"backend {name} differs from the baseline's ({what})")
    for suite, fingerprint in current.suite_fingerprints.items():
        old = baseline.suite_fingerprints.get(suite)
        if old is None:
            warnings.append(f"suite {suite} is not in the baseline: nothing to compare")
        elif old != fingerprint:
            warnings.append(f"suite {suite} has changed since the baseline (its tests, "
                            "contexts or expectations differ)")
    before = {(r.backend, r.suite, r.test, r.expectation): r for r in baseline.rows}
    regressions = []
    for row in current.rows:
        old_row = before.get((row.backend, row.suite, row.test, row.expectation))
        if old_row is not None and old_row.passed and not row.passed:
            regressions.append(Regression(row.backend, row.suite, row.test, row.expectation,
                                          old_row.margin, row.margin))
    return regressions, warnings


def check_gates(current: Results, baseline: Results | None = None,
                min_accuracy: float | None = None) -> GateOutcome:
    outcome = GateOutcome()
    if baseline is not None:
        outcome.checked.append("baseline")
        outcome.regressions, outcome.warnings = against_baseline(current, baseline)
    if min_accuracy is not None:
        outcome.checked.append(f"min-accuracy {min_accuracy:g}")
        outcome.below = [
            BelowMinimum(s.backend, s.suite, s.accuracy, min_accuracy)
            for s in current.summary_rows
            if s.status == "ok" and s.accuracy is not None and s.accuracy < min_accuracy
        ]
    return outcome


def gate_text(outcome: GateOutcome) -> list[str]:
    """Lines for stdout and report.md."""
    if not outcome.checked:
        return []
    lines = [f"warning: {w}" for w in outcome.warnings]
    lines += [f"REGRESSION {r}" for r in outcome.regressions]
    lines += [f"BELOW MINIMUM {b}" for b in outcome.below]
    verdict = "FAILED" if outcome.failed else "held"
    lines.append(f"gates ({', '.join(outcome.checked)}): {verdict}"
                 + (f", {len(outcome.regressions)} regressions" if outcome.regressions else "")
                 + (f", {len(outcome.below)} below the minimum" if outcome.below else ""))
    return lines
