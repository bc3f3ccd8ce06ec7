"""Gates for CI: regressions against a baseline results.json, a minimum accuracy, a most
unscored, and a minimum Spearman's rho on graded tests.

A regression is an expectation that passed in the baseline, for the same backend name, and
fails now (an unscored one fails). A backend that passed expectations in the baseline and did
not run now (skipped, failed, or left out) fails the gate too: nothing was checked. A baseline
made with other backend settings or another version of a suite still gates, with a warning that
says what changed; baseline passes that have no counterpart now (a renamed test, a removed
expectation) and expectations whose required margin changed are named, not counted. On graded
tests, a rho that dropped by more than the tolerance (default 0.01) is a regression, and a
graded test that had a rho in the baseline and has none now was not checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.errors import counted

if TYPE_CHECKING:
    from harness.results.model import GateReport, Results


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
class RhoRegression:
    backend: str
    suite: str
    test: str
    baseline_rho: float
    rho: float
    tolerance: float

    def __str__(self) -> str:
        return (f"{self.backend} / {self.suite} / {self.test}: Spearman's rho {self.rho:.4f} is "
                f"{self.baseline_rho - self.rho:.4f} below the baseline's "
                f"{self.baseline_rho:.4f} (tolerance {self.tolerance:g})")


@dataclass(frozen=True)
class RhoBelowMinimum:
    backend: str
    suite: str
    test: str
    rho: float | None
    minimum: float
    why: str = ""  # when there is no rho

    def __str__(self) -> str:
        if self.rho is None:
            return (f"{self.backend} / {self.suite} / {self.test}: no Spearman's rho to hold "
                    f"against the minimum {self.minimum:.3f} ({self.why})")
        return (f"{self.backend} / {self.suite} / {self.test}: Spearman's rho {self.rho:.3f} "
                f"is below the minimum {self.minimum:.3f}")


@dataclass(frozen=True)
class ScoreBelowMinimum:
    """A plugin kind's main score (--min-score KIND=X) below its minimum, or none to hold."""

    backend: str
    suite: str
    kind: str
    name: str  # what the score is called
    score: float | None
    minimum: float

    def __str__(self) -> str:
        if self.score is None:
            return (f"{self.backend} / {self.suite}: no {self.kind} {self.name} to hold "
                    f"against the minimum {self.minimum:.3f} (nothing was scored)")
        return (f"{self.backend} / {self.suite}: {self.kind} {self.name} {self.score:.3f} is "
                f"below the minimum {self.minimum:.3f}")


@dataclass(frozen=True)
class MeasureRegression:
    """A plugin kind's row that passed in the baseline and does not now."""

    backend: str
    kind: str
    key: tuple

    def __str__(self) -> str:
        return (f"{self.backend} / {' / '.join(map(str, self.key))}: {self.kind} passed in the "
                "baseline and does not now")


@dataclass(frozen=True)
class BelowMinimum:
    backend: str
    suite: str
    accuracy: float
    minimum: float

    def __str__(self) -> str:
        return (f"{self.backend} / {self.suite}: accuracy {self.accuracy:.3f} is below the "
                f"minimum {self.minimum:.3f}")


@dataclass(frozen=True)
class TooManyUnscored:
    backend: str
    suite: str
    unscored: int
    total: int
    maximum: float

    what: str = "expectations"  # or "expectations and graded pairs"

    def __str__(self) -> str:
        return (f"{self.backend} / {self.suite}: {self.unscored} of {self.total} {self.what} "
                f"unscored ({self.unscored / self.total:.1%}), more than the maximum "
                f"{self.maximum:.1%}")


@dataclass
class GateOutcome:
    regressions: list[Regression | RhoRegression | MeasureRegression] = field(
        default_factory=list)
    below: list[BelowMinimum | RhoBelowMinimum | ScoreBelowMinimum] = field(
        default_factory=list)
    unscored: list[TooManyUnscored] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # backends the gate could not check
    warnings: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # which gates ran

    @property
    def failed(self) -> bool:
        return bool(self.regressions or self.below or self.unscored or self.unchecked)

    thresholds: dict[str, float] = field(default_factory=dict)  # each gate's, as asked

    def report(self) -> GateReport | None:
        """What results.json records of the gates; None when no gate was asked for."""
        from harness.results.model import GateReport

        if not self.checked:
            return None
        return GateReport(list(self.checked), not self.failed, gate_text(self),
                          dict(self.thresholds))


def _changed_options(old: dict, new: dict) -> str:
    keys = sorted(set(old) | set(new))
    diffs = [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]
    return "; ".join(diffs)


def against_baseline(current: Results,
                     baseline: Results) -> tuple[list[Regression], list[str], list[str]]:
    """Regressions of `current` against `baseline`, backends that could not be checked, and
    warnings about what differs."""
    warnings, unchecked = [], []
    ran = {name for name, rec in current.backends.items() if rec.status == "ok"}
    for name in baseline.backends:
        passes = sum(r.passed for r in baseline.rows if r.backend == name)
        rhos = sum(c.spearman is not None for c in baseline.correlation_rows if c.backend == name)
        if (passes or rhos) and name not in ran:
            record = current.backends.get(name)
            why = "was not run" if record is None else f"{record.status}: {record.error}"
            had = " and ".join(part for part in (
                f"passed {counted(passes, 'expectation')}" if passes else "",
                f"had Spearman's rho on {counted(rhos, 'graded test')}" if rhos else "")
                if part)
            unchecked.append(f"{name} {had} in the baseline and {why}")
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
    now = {(r.backend, r.suite, r.test, r.expectation) for r in current.rows}
    regressions, margins_changed = [], []
    for row in current.rows:
        old_row = before.get((row.backend, row.suite, row.test, row.expectation))
        if old_row is None or not old_row.passed or row.passed:
            continue
        if old_row.required_margin != row.required_margin:
            margins_changed.append(f"{row.backend} / {row.test}: '{row.expectation}' needs "
                                   f"> {row.required_margin:g} now, > "
                                   f"{old_row.required_margin:g} in the baseline")
            continue
        regressions.append(Regression(row.backend, row.suite, row.test, row.expectation,
                                      old_row.margin, row.margin))
    if margins_changed:
        warnings.append(f"{counted(margins_changed, 'expectation')} with a changed required "
                        "margin, failing now (not counted as regressions): "
                        + "; ".join(margins_changed[:5]))
    graded = {(c.backend, c.suite, c.test) for c in baseline.correlation_rows} & {
        (c.backend, c.suite, c.test) for c in current.correlation_rows}
    if not set(before) & now and not graded:
        unchecked.append(f"the baseline shares no expectation or graded test with this run "
                         f"(its suites: "
                         f"{', '.join(baseline.suites) or 'none'}; this run's: "
                         f"{', '.join(current.suites)}): nothing was compared")
    gone = [key for key, r in before.items() if r.passed and key[0] in ran and key not in now]
    if gone:
        named = "; ".join(f"{b} / {s} / {t}: '{e}'" for b, s, t, e in gone[:5])
        more = f" and {len(gone) - 5} more" if len(gone) > 5 else ""
        warnings.append(f"{counted(gone, 'expectation')} that passed in the baseline, with "
                        f"no counterpart now (renamed or removed?): {named}{more}")
    graded_now = {(c.backend, c.suite, c.test) for c in current.correlation_rows}
    graded_gone = [(c.backend, c.suite, c.test) for c in baseline.correlation_rows
                   if c.spearman is not None and c.backend in ran
                   and (c.backend, c.suite, c.test) not in graded_now]
    if graded_gone:
        named = "; ".join(" / ".join(key) for key in graded_gone[:5])
        more = f" and {len(graded_gone) - 5} more" if len(graded_gone) > 5 else ""
        warnings.append(f"{counted(graded_gone, 'graded test')} with a Spearman's rho in the "
                        f"baseline, with no counterpart now (renamed or removed?): {named}{more}")
    return regressions, unchecked, warnings


SPEARMAN_TOLERANCE = 0.01  # a drop of rho by more than this is a regression


def rho_regressions(current: Results, baseline: Results, tolerance: float
                    ) -> tuple[list[RhoRegression], list[str]]:
    """Graded tests whose rho dropped by more than `tolerance` since the baseline (same backend,
    suite and test), and those that had a rho there and have none now."""
    before = {(c.backend, c.suite, c.test): c for c in baseline.correlation_rows
              if c.spearman is not None}
    ran = {name for name, rec in current.backends.items() if rec.status == "ok"}
    now = {(c.backend, c.suite, c.test): c for c in current.correlation_rows}
    regressions, unchecked = [], []
    for key, old in before.items():
        if key[0] not in ran:
            continue  # the backend itself is reported as not checked
        new = now.get(key)
        if new is None:
            continue  # a renamed or removed test: warned about with the expectations
        if new.spearman is None:
            unchecked.append(f"{' / '.join(key)} had Spearman's rho {old.spearman:.4f} in the "
                             f"baseline and has none now ({new.error})")
        elif old.spearman - new.spearman > tolerance:
            regressions.append(RhoRegression(*key, old.spearman, new.spearman, tolerance))
    return regressions, unchecked


def check_gates(current: Results, baseline: Results | None = None,
                min_accuracy: float | None = None,
                max_unscored: float | None = None,
                min_spearman: float | None = None,
                spearman_tolerance: float = SPEARMAN_TOLERANCE,
                min_scores: dict[str, float] | None = None) -> GateOutcome:
    """The baseline gate, the minimum accuracy, the maximum share of unscored expectations,
    the minimum Spearman's rho of graded tests and the minimum main score of each plugin kind
    named in `min_scores` (each only when given); a backend a gate could not check fails
    it. `baseline` may be a StoreBaseline (`--baseline store:latest`): the latest stored run of
    each backend name and suite."""
    outcome = GateOutcome()
    if hasattr(baseline, "for_run"):  # store:latest (harness/results/store_baseline.py)
        baseline = baseline.for_run(current)
    if baseline is not None:
        outcome.checked.append("baseline")
        outcome.thresholds["spearman_tolerance"] = spearman_tolerance
        outcome.regressions, outcome.unchecked, outcome.warnings = against_baseline(
            current, baseline)
        drops, lost = rho_regressions(current, baseline, spearman_tolerance)
        outcome.regressions += drops + measure_regressions(current, baseline)
        outcome.unchecked += lost
    for kind, minimum in (min_scores or {}).items():
        outcome.checked.append(f"min-score {kind}={minimum:g}")
        outcome.thresholds[f"min_score.{kind}"] = minimum
        measure = current.measures.get(kind)
        if measure is None:
            outcome.unchecked.append(f"--min-score {kind}: this run has no test of the kind "
                                     f"{kind!r}, so no score was compared")
            continue
        outcome.below += [ScoreBelowMinimum(s.backend, s.suite, kind, measure.score_name,
                                            s.score, minimum)
                          for s in current.measure_summaries.get(kind, [])
                          if s.status == "ok" and (s.score is None or s.score < minimum)]
    if min_accuracy is not None:
        outcome.checked.append(f"min-accuracy {min_accuracy:g}")
        outcome.thresholds["min_accuracy"] = min_accuracy
        outcome.below = [
            BelowMinimum(s.backend, s.suite, s.accuracy, min_accuracy)
            for s in current.summary_rows
            if s.status == "ok" and s.accuracy is not None and s.accuracy < min_accuracy
        ]
        if not any(s.total for s in current.summary_rows):
            outcome.unchecked.append("--min-accuracy: this run has no ordering expectation, so "
                                     "no accuracy was compared")
    if max_unscored is not None:
        outcome.checked.append(f"max-unscored {max_unscored:g}")
        outcome.thresholds["max_unscored"] = max_unscored
        outcome.unscored = []
        for s in current.summary_rows:  # expectations, graded pairs, a plugin kind's rows
            graded = [c for c in current.correlation_rows
                      if (c.backend, c.suite) == (s.backend, s.suite)]
            kinds = [m for by_kind in current.measure_summaries.values() for m in by_kind
                     if (m.backend, m.suite) == (s.backend, s.suite) and m.rows]
            unscored = s.unscored + sum(c.unscored for c in graded) + sum(
                m.unscored for m in kinds)
            total = s.total + sum(c.pairs for c in graded) + sum(m.rows for m in kinds)
            if s.status == "ok" and total and unscored / total > max_unscored:
                what = ("graded pairs" if not s.total else "expectations and graded pairs"
                        if graded else "expectations")
                if kinds:
                    named = [*(["expectations"] if s.total else []),
                             *(["graded pairs"] if graded else []),
                             *(f"{m.kind} rows" for m in kinds)]
                    what = " and ".join(named)
                outcome.unscored.append(TooManyUnscored(s.backend, s.suite, unscored, total,
                                                        max_unscored, what))
    if min_spearman is not None:
        outcome.checked.append(f"min-spearman {min_spearman:g}")
        outcome.thresholds["min_spearman"] = min_spearman
        outcome.below += [
            RhoBelowMinimum(c.backend, c.suite, c.test, c.spearman, min_spearman, c.error or "")
            for c in current.correlation_rows
            if c.spearman is None or c.spearman < min_spearman]
        if not current.correlation_rows and not any(s.status != "ok"
                                                    for s in current.summary_rows):
            outcome.unchecked.append("--min-spearman: this run has no graded test, so no "
                                     "Spearman's rho was compared")
    if (min_accuracy is not None or max_unscored is not None or min_spearman is not None
            or min_scores):
        outcome.unchecked += sorted({
            f"{s.backend} has no results on {s.suite} ({s.status}: {s.error})"
            for s in current.summary_rows if s.status != "ok"})
    return outcome


def measure_regressions(current: Results, baseline: Results) -> list[MeasureRegression]:
    """The rows of each plugin kind that passed in the baseline (same backend, same key) and
    do not now."""
    out = []
    for kind, rows in current.measure_rows.items():
        measure = current.measures[kind]
        before = {(r.backend, measure.key(r)) for r in baseline.measure_rows.get(kind, [])
                  if measure.outcome(r) == "pass"}
        out += [MeasureRegression(r.backend, kind, measure.key(r)) for r in rows
                if (r.backend, measure.key(r)) in before and measure.outcome(r) != "pass"]
    return out


def gate_text(outcome: GateOutcome) -> list[str]:
    """Lines for stdout and report.md."""
    if not outcome.checked:
        return []
    lines = [f"warning: {w}" for w in outcome.warnings]
    lines += [f"REGRESSION {r}" for r in outcome.regressions]
    lines += [f"BELOW MINIMUM {b}" for b in outcome.below]
    lines += [f"TOO MANY UNSCORED {u}" for u in outcome.unscored]
    lines += [f"NOT CHECKED {u}" for u in outcome.unchecked]
    verdict = "FAILED" if outcome.failed else "held"
    lines.append(f"gates ({', '.join(outcome.checked)}): {verdict}"
                 + (f", {counted(outcome.regressions, 'regression')}"
                    if outcome.regressions else "")
                 + (f", {len(outcome.below)} below the minimum" if outcome.below else "")
                 + (f", {len(outcome.unscored)} with too many unscored"
                    if outcome.unscored else "")
                 + (f", {len(outcome.unchecked)} not checked" if outcome.unchecked else ""))
    return lines
