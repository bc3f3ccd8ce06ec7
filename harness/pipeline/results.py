"""The outcome of a run, and its results.json form (schema 1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from harness._version import __version__
from harness.pipeline.correlation import CorrelationResult, PairResult
from harness.pipeline.scoring import ExpectationResult, SummaryRow

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = 1


@dataclass
class BackendRecord:
    """What ran: the backend's plugin, options, fingerprint and versions; how it went."""

    name: str
    plugin: str
    options: dict[str, Any]
    fingerprint: str | None
    versions: dict[str, str]
    status: str = "ok"  # ok | skipped | unavailable | error | interrupted
    error: str | None = None
    context_free: bool = False
    used: dict[str, Any] = field(default_factory=dict)  # what it settled on (Backend.used)
    # what the reference sample says about it: its baseline (see harness.pipeline.calibration)
    calibration: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> BackendRecord:
        """A record of results.json. One written before 0.4 may have `calibration` under its old
        name, `geometry` (only that before 0.3): still read, never written."""
        known = _fields_of(cls, data, f"backend {name!r}", ("name",))
        if "calibration" not in known and data.get("geometry") is not None:
            known["calibration"] = data["geometry"]
        return cls(name=name, **known)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["name"]
        if self.error is None:
            del out["error"]
        if not self.used:
            del out["used"]
        if self.calibration is None:
            del out["calibration"]
        return out


@dataclass
class GateReport:
    """What the CI gates of a run said: which ran, whether they held, and one line per finding
    (warnings, regressions, backends not checked, the verdict)."""

    checked: list[str]
    held: bool
    lines: list[str]
    thresholds: dict[str, float] = field(default_factory=dict)  # each gate's (junit.xml)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Results:
    """Every backend x expectation of a run. `.summary` and `.to_frame()` give DataFrames."""

    suites: list[str]
    backends: dict[str, BackendRecord]
    summary_rows: list[SummaryRow]
    rows: list[ExpectationResult]
    suite_fingerprints: dict[str, str] = field(default_factory=dict)
    # backend -> suite -> test -> {"labels": [...], "words": [target or None], "matrix":
    # [[cosine or None]]}
    similarities: dict[str, dict[str, dict[str, dict]]] = field(default_factory=dict)
    created: str = ""
    harness_version: str = __version__
    interrupted: bool = False
    gates: GateReport | None = None  # set by the caller that checked gates
    weak_below: float = 0.5  # a pass with margin_sd below this is weak
    correlation_rows: list[CorrelationResult] = field(default_factory=list)  # graded tests
    pair_rows: list[PairResult] = field(default_factory=list)
    # suite -> test -> {"description": str, "contexts": {label: [text, start, end] or [text]}}
    # (a whole-sentence context is [text]); what each test is, so that reports explain it
    tests: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # the tests a run kept (-k, --limit): {patterns, limit, suites: {name: {kept, of}}}
    selection: dict[str, Any] | None = None

    @property
    def failed_backends(self) -> list[BackendRecord]:
        return [b for b in self.backends.values() if b.status not in ("ok", "skipped")]

    def similarity_cells(self) -> int:
        """How many numbers the similarity matrices hold."""
        return sum(len(data["labels"]) ** 2 for suites in self.similarities.values()
                   for by_test in suites.values() for data in by_test.values())

    # -- results.json -------------------------------------------------------------------------
    def to_dict(self, similarities: bool = True) -> dict[str, Any]:
        """results.json's content; without the similarity matrices when `similarities` is
        False (a large run writes them to a side file)."""
        return {
            "schema": SCHEMA,
            "harness_version": self.harness_version,
            "created": self.created,
            "interrupted": self.interrupted,
            "gates": self.gates.to_dict() if self.gates else None,
            "weak_below": self.weak_below,
            "suites": list(self.suites),
            "suite_fingerprints": dict(self.suite_fingerprints),
            "backends": {name: rec.to_dict() for name, rec in self.backends.items()},
            "summary": [_row(s, SUMMARY_FIELDS) for s in self.summary_rows],
            "results": [_row(r, RESULT_FIELDS) for r in self.rows],
            "correlations": [_row(c, CORRELATION_FIELDS) for c in self.correlation_rows],
            "pair_results": [_row(p, PAIR_FIELDS) for p in self.pair_rows],
            "tests": self.tests,
            "similarities": self.similarities if similarities else {},
            **({"selection": self.selection} if self.selection else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Results:
        """A run from its results.json content; a ValueError that names the top-level keys
        missing, or the row (its kind and index) and the fields it lacks."""
        if data.get("schema") != SCHEMA:
            raise ValueError(f"results schema {data.get('schema')!r} is not {SCHEMA}")
        problems = top_level_problems(data)
        if problems:
            raise ValueError(problems)
        return cls(
            suites=list(data["suites"]),
            backends={name: BackendRecord.from_dict(name, rec)
                      for name, rec in data["backends"].items()},
            summary_rows=_rows(SummaryRow, data["summary"], "summary"),
            rows=_rows(ExpectationResult, data["results"], "results"),
            suite_fingerprints=dict(data.get("suite_fingerprints", {})),
            similarities=dict(data.get("similarities", {})),
            created=data.get("created", ""),
            harness_version=data.get("harness_version", ""),
            interrupted=bool(data.get("interrupted", False)),
            gates=_read(GateReport, data["gates"], "gates") if data.get("gates") else None,
            weak_below=data.get("weak_below", 0.5),
            correlation_rows=_rows(CorrelationResult, data.get("correlations", []),
                                   "correlations"),
            pair_rows=_rows(PairResult, data.get("pair_results", []), "pair_results"),
            tests=_tests(data.get("tests", {})),
            selection=data["selection"] if isinstance(data.get("selection"), dict) else None,
        )

    # -- notebooks --------------------------------------------------------------------------------
    def __repr__(self) -> str:
        ok = sum(rec.status == "ok" for rec in self.backends.values())
        expectations = len({(r.suite, r.test, r.expectation) for r in self.rows})
        graded = len({(c.suite, c.test) for c in self.correlation_rows})
        parts = [_count(len(self.suites), "suite"),
                 f"{_count(len(self.backends), 'backend')} ({ok} ok)",
                 _count(expectations, "expectation")]
        parts += [_count(graded, "graded test")] if graded else []
        parts += ["interrupted"] if self.interrupted else []
        if self.gates:
            parts.append("gates held" if self.gates.held else "gates failed")
        return f"<Results: {', '.join(parts)}>"

    def _repr_html_(self) -> str:
        """The summary, the graded tests' correlations and the gates' verdict, for notebooks."""
        graded = any(s.graded_tests for s in self.summary_rows)
        keep = [i for i, h in enumerate(NOTEBOOK_SUMMARY) if graded or h not in GRADED_ONLY]
        out = [f"<p><strong>{escape(repr(self))}</strong></p>",
               _html_table([NOTEBOOK_SUMMARY[i] for i in keep],
                           [[cells[i] for i in keep] for cells in map(_summary_cells,
                                                                       self.summary_rows)])]
        if self.correlation_rows:
            shown = self.correlation_rows[:MAX_NOTEBOOK_ROWS]
            out.append(_html_table(NOTEBOOK_CORRELATIONS, [_correlation_cells(c) for c in shown]))
            if len(self.correlation_rows) > len(shown):
                out.append(f"<p>{len(self.correlation_rows) - len(shown)} more graded tests: "
                           "see <code>.correlations</code>.</p>")
        if self.gates:
            out.append(f"<pre>{escape(chr(10).join(self.gates.lines))}</pre>")
        return "<div>" + "".join(out) + "</div>"

    # -- DataFrames, for notebooks --------------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """One row per backend and suite: passed, total, accuracy, ties, tests passed, status."""
        import pandas as pd

        columns = [f.name for f in fields(SummaryRow)]
        return pd.DataFrame([asdict(s) for s in self.summary_rows], columns=columns)

    @property
    def correlations(self) -> pd.DataFrame:
        """One row per backend and graded test: pairs, scored, Spearman's rho and Pearson's r
        with their 95% intervals."""
        import pandas as pd

        return pd.DataFrame([asdict(c) for c in self.correlation_rows],
                            columns=list(CORRELATION_FIELDS))

    def pair_frame(self) -> pd.DataFrame:
        """One row per backend and graded pair: its rating and cosine."""
        import pandas as pd

        return pd.DataFrame([asdict(p) for p in self.pair_rows], columns=list(PAIR_FIELDS))

    def to_frame(self) -> pd.DataFrame:
        """One row per backend and expectation, with both similarities and the margin."""
        import pandas as pd

        columns = [f.name for f in fields(ExpectationResult)]
        return pd.DataFrame([asdict(r) for r in self.rows], columns=columns)


RESULT_FIELDS = tuple(f.name for f in fields(ExpectationResult))
SUMMARY_FIELDS = tuple(f.name for f in fields(SummaryRow))
CORRELATION_FIELDS = tuple(f.name for f in fields(CorrelationResult))
PAIR_FIELDS = tuple(f.name for f in fields(PairResult))


REQUIRED_KEYS = {"schema": int, "suites": list, "backends": dict, "summary": list,
                 "results": list}
JSON_KINDS = {int: "a number", float: "a number", str: "a string", bool: "true or false",
              list: "a list", dict: "an object", type(None): "null"}


def json_kind(value: object) -> str:
    """What a JSON value is, in words ("a list", "an object")."""
    return JSON_KINDS.get(type(value), f"a {type(value).__name__}")


def top_level_problems(data: dict) -> str:
    """The top-level keys of results.json missing from `data`, and those of the wrong kind."""
    missing = [key for key in REQUIRED_KEYS if key not in data]
    out = [f"no top-level key{'s' * (len(missing) > 1)} {', '.join(missing)}"] if missing else []
    out += [f"{key} is {json_kind(data[key])}, not {json_kind(kind())}"
            for key, kind in REQUIRED_KEYS.items()
            if key in data and (not isinstance(data[key], kind) or isinstance(data[key], bool))]
    return "; ".join(out)


def _rows(kind: type, rows: Any, key: str) -> list[Any]:
    """The rows under `key` of results.json, each as `kind`."""
    if not isinstance(rows, list):
        raise ValueError(f"{key} is {json_kind(rows)}, not a list of rows")
    return [_read(kind, row, f"{key} row {i}") for i, row in enumerate(rows)]


@cache
def _field_names(kind: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """The fields of `kind` without a default, and all its fields."""
    required = tuple(f.name for f in fields(kind)
                     if f.default is MISSING and f.default_factory is MISSING)
    return required, frozenset(f.name for f in fields(kind))


def _fields_of(kind: type, data: Any, where: str, given: tuple[str, ...] = ()) -> dict:
    """`data`'s keys that `kind` knows (less `given`); a ValueError that names `where` and the
    fields it lacks."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} is {json_kind(data)}, not an object")
    required, names = _field_names(kind)
    missing = [name for name in required if name not in data and name not in given]
    if missing:
        raise ValueError(f"{where} lacks the field{'s' * (len(missing) > 1)} "
                         f"{', '.join(missing)}")
    return {k: v for k, v in data.items() if k in names and k not in given}


def _read(kind: type, data: Any, where: str) -> Any:
    """A row of results.json as `kind`, keys it does not know left out."""
    return kind(**_fields_of(kind, data, where))


def _row(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """A row as a dict, without `error` when there is none (faster than dataclasses.asdict,
    which a run of 100,000 expectations would feel)."""
    out = {name: getattr(row, name) for name in names}
    if out.get("error") is None:
        out.pop("error", None)
    return out


def _tests(data: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """results.json's `tests` (absent before 0.4: {}), or a ValueError that names the entry of
    the wrong shape."""
    if not isinstance(data, dict):
        raise ValueError(f"tests is {json_kind(data)}, not an object")
    for suite, by_test in data.items():
        if not isinstance(by_test, dict):
            raise ValueError(f"tests[{suite!r}] is {json_kind(by_test)}, not an object")
        for test, entry in by_test.items():
            where = f"tests[{suite!r}][{test!r}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("description", ""), str):
                raise ValueError(f"{where} is not an object with a description")
            contexts = entry.get("contexts", {})
            if not isinstance(contexts, dict) or not all(
                    _is_context(c) for c in contexts.values()):
                raise ValueError(f"{where}.contexts is not an object of [text, start, end]")
    return data


def _is_context(value: Any) -> bool:
    """[text] or [text, start, end], the span inside the text."""
    if not isinstance(value, list) or not value or not isinstance(value[0], str):
        return False
    if len(value) == 1:
        return True
    return (len(value) == 3 and all(type(n) is int for n in value[1:])
            and 0 <= value[1] <= value[2] <= len(value[0]))


# -- notebooks: Results._repr_html_ --------------------------------------------------------------

MAX_NOTEBOOK_ROWS = 50
NOTEBOOK_SUMMARY = ("backend", "suite", "passed", "accuracy", "ties", "tests passed",
                    "graded tests", "median rho", "status")
GRADED_ONLY = ("graded tests", "median rho")
NOTEBOOK_CORRELATIONS = ("backend", "suite", "test", "pairs", "scored", "Spearman rho",
                         "Pearson r", "note")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _summary_cells(s: SummaryRow) -> list[str]:
    if s.status != "ok":
        return [s.backend, s.suite, *["-"] * 6, f"{s.status}: {s.error or ''}"]
    return [s.backend, s.suite, f"{s.passed}/{s.total}", _number(s.accuracy), str(s.ties),
            f"{s.tests_passed}/{s.tests_total}", str(s.graded_tests),
            _number(s.median_spearman), "ok" + (f", {s.unscored} unscored" if s.unscored else "")]


def _correlation_cells(c: CorrelationResult) -> list[str]:
    def interval(value: float | None, ci: list[float] | None) -> str:
        return _number(value) + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if value is not None and ci
                                 else "")

    return [c.backend, c.suite, c.test, str(c.pairs), str(c.scored),
            interval(c.spearman, c.spearman_ci), interval(c.pearson, c.pearson_ci),
            c.error or ""]


def _html_table(headers: Sequence[str], rows: list[list[str]]) -> str:
    """A small HTML table, every cell escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
