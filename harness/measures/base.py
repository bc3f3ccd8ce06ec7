"""`Measure`: a kind of test. The generic code (reading a suite, preparing the vectors once,
results.json, the reports, the gates, `harness compare`) lives once; a kind fills in its parts:
the YAML keys it owns in a test, how it parses them (through the suite reader's `Checker`, so
every problem names the file, line, test and field, with the fix), how it scores a test from
the prepared vectors into rows, its columns, its pass/fail rule and its main score.

A measure registered by a plugin (`harness_register_measures`) keeps its rows and summaries in
`Results.measure_rows` and `Results.measure_summaries`, under results.json's `measures` key.
The two built-in measures, orderings and graded pairs, keep the places they had before
(results.json's `results`, `correlations`, `pair_results`): see harness/measures/builtin.py."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

from harness.measures.paired import HEADERS, compare_outcomes

if TYPE_CHECKING:
    from harness.backend import Item
    from harness.measures.vectors import TestVectors
    from harness.results.model import Results
    from harness.suites.fields import Checker
    from harness.suites.model import LabelledContext, Suite, Test

PASS, FAIL, UNSCORED = "pass", "fail", "unscored"  # a row's outcome


@dataclass(frozen=True)
class MeasureSummary:
    """A plugin measure's totals for one backend on one suite: its rows, how many passed and
    how many could not be scored, and its main score (None: nothing scored)."""

    kind: str
    backend: str
    suite: str
    rows: int
    passed: int
    unscored: int
    score: float | None
    status: str = "ok"
    error: str | None = None


class Measure:
    """A kind of test. Subclass it, set the class attributes, implement `parse` and `score`
    (and `cells` for the reports); register an instance with `register.add_measure(...)` in
    `harness_register_measures`.

    A row is a dataclass with at least the fields `backend`, `suite`, `test` and `error` (why it
    could not be scored, or None); results.json holds it as a dict of its fields."""

    kind: ClassVar[str] = ""  # its name: results.json, --min-score KIND=X, reports
    keys: ClassVar[tuple[str, ...]] = ()  # the YAML keys it owns in a test
    schema: ClassVar[int] = 1  # the suite schema its keys need
    title: ClassVar[str] = ""  # the heading of its section in reports
    rules: ClassVar[str] = ""  # one paragraph: what a row is and when it passes
    row_type: ClassVar[type] = object  # the dataclass of its rows
    columns: ClassVar[tuple[str, ...]] = ()  # the headers of `cells`
    score_name: ClassVar[str] = "score"  # what its main score is called in reports and gates
    compare_title: ClassVar[str] = ""  # `harness compare --markdown`'s heading (default: title)
    compare_note: ClassVar[str] = ("On the rows both backends scored: accuracy with a 95% "
                                   "Wilson interval, how many each passes alone, and the exact "
                                   "McNemar (binomial) p-value of those.")
    compare_headers: ClassVar[tuple[str, ...]] = HEADERS
    builtin: ClassVar[bool] = False  # orderings and graded: their rows have places of their own

    # -- reading a suite ------------------------------------------------------------------------
    def parse(self, checker: Checker, data: Mapping, where: str, line: int,
              contexts: Mapping[str, LabelledContext], declared: set[str]) -> Any:
        """This measure's part of a test (`data` is the test's mapping; `contexts` its valid
        contexts, `declared` every label written). Report each problem with
        `checker.problem(line, where, message)` (the line of a key: `key_line(data, key,
        line)` from harness.suites.yaml) and return None; else the parsed part, which the
        test keeps as `Test.data`. It should be hashable or a tuple of plain values."""
        raise NotImplementedError

    def items(self, test: Test) -> Iterable[Item]:
        """The items to embed for a test of this kind beyond its contexts (default: none)."""
        return ()

    # -- scoring -------------------------------------------------------------------------------
    def score(self, backend: str, suite: Suite, test: Test, vectors: TestVectors) -> list[Any]:
        """The rows of one test for one backend, from its prepared vectors."""
        raise NotImplementedError

    def outcome(self, row: Any) -> str:
        """"pass", "fail" or "unscored" (default: unscored when the row has an error, else
        by its `passed` field)."""
        if row.error is not None:
            return UNSCORED
        return PASS if row.passed else FAIL

    def main_score(self, rows: Sequence[Any]) -> float | None:
        """The main score of one backend's rows on one suite (default: the share of the scored
        rows that pass; None when none was scored)."""
        outcomes = [self.outcome(r) for r in rows if self.outcome(r) != UNSCORED]
        return outcomes.count(PASS) / len(outcomes) if outcomes else None

    def summarize(self, backend: str, suite: str, rows: Sequence[Any]) -> MeasureSummary:
        """One backend's totals on one suite."""
        outcomes = [self.outcome(r) for r in rows]
        return MeasureSummary(self.kind, backend, suite, len(rows), outcomes.count(PASS),
                              outcomes.count(UNSCORED), self.main_score(rows))

    def failed_summary(self, backend: str, suite: str, status: str,
                       error: str) -> MeasureSummary:
        """The totals of a backend that could not run."""
        return MeasureSummary(self.kind, backend, suite, 0, 0, 0, None, status, error)

    # -- reports, gates, compare ---------------------------------------------------------------
    def cells(self, row: Any) -> list[str]:
        """The row's cells under `columns` (default: its fields, but backend, suite, test and
        error, as text)."""
        return ["" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)
                for k, v in self.to_dict(row).items() if k not in ("backend", "suite", "test",
                                                                   "error")]

    def summary_table(self, summaries: Sequence[Any]) -> tuple[list[str], list[list[str]]] | None:
        """The summary's headers and rows in every report (None: the generic table)."""
        return None

    def tables(self, rows: Sequence[Any]) -> list[tuple[str, list[str], list[list[str]]]]:
        """More tables for the reports, each (title, headers, rows), after the summary."""
        return []

    def case_name(self, row: Any) -> str:
        """The name of the row's testcase in junit.xml (default: "KIND: TEST")."""
        return f"{self.kind}: {row.test}"

    def key(self, row: Any) -> tuple:
        """What identifies a row across runs, backend aside (the baseline gate, compare)."""
        return (row.suite, row.test)

    def compared_rows(self, results: Results) -> list[Any]:
        """The rows of a run that `compare` compares (default: this kind's rows)."""
        return results.rows_of(self.kind)

    def compare(self, rows: Mapping[str, Sequence[Any]]) -> list[Any]:
        """Every two backends (`rows`: each one's `compared_rows`, by label) compared, each
        comparison with `cells()` under `compare_headers` and `to_dict()` (default: on the rows
        both scored, by `key`, an exact McNemar test of their outcomes)."""
        return compare_outcomes(rows, self.key, lambda r: None if self.outcome(r) == UNSCORED
                                else self.outcome(r) == PASS)

    def to_dict(self, row: Any) -> dict[str, Any]:
        """The row as results.json holds it."""
        return asdict(row)

    def from_dict(self, data: Mapping[str, Any]) -> Any:
        """A row of results.json back as `row_type` (keys it does not know left out)."""
        names = {f.name for f in fields(self.row_type)}
        return self.row_type(**{k: v for k, v in data.items() if k in names})

    def summary_from_dict(self, data: Mapping[str, Any]) -> MeasureSummary:
        """A summary of results.json back as a `MeasureSummary`."""
        names = {f.name for f in fields(MeasureSummary)}
        return MeasureSummary(**{k: v for k, v in data.items() if k in names})


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are not None (None when none is)."""
    have = [v for v in values if v is not None]
    return statistics.median(have) if have else None

