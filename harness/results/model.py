"""The outcome of a run (`Results`: what ran, its rows by kind of test, the gates' verdict),
and its results.json form (schema 1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from functools import cache
from typing import TYPE_CHECKING, Any

from harness._version import __version__
from harness.results.rows import CorrelationResult, ExpectationResult, PairResult, SummaryRow

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
    # what is known of the model (harness.backend.card.ModelCard.to_dict), and by suite the
    # suite's source data sets the card lists among its training data (not zero-shot there)
    card: dict[str, Any] | None = None
    contamination: dict[str, list[str]] = field(default_factory=dict)

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
        if not self.card:
            del out["card"]
        if not self.contamination:
            del out["contamination"]
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
    # the kinds of test plugins measure (harness_register_measures): by kind, the measure,
    # its rows and its summaries (results.json's `measures`, absent when there are none)
    measures: dict[str, Any] = field(default_factory=dict, repr=False)
    measure_rows: dict[str, list[Any]] = field(default_factory=dict)
    measure_summaries: dict[str, list[Any]] = field(default_factory=dict)

    def rows_of(self, kind: str) -> list[Any]:
        """The rows of one kind of test: orderings' expectations, graded tests' correlations,
        or a plugin kind's rows."""
        if kind == "orderings":
            return self.rows
        if kind == "graded":
            return self.correlation_rows
        return self.measure_rows.get(kind, [])

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
            **({"measures": {kind: {
                "summary": [asdict(s) for s in self.measure_summaries.get(kind, [])],
                "rows": [self.measures[kind].to_dict(r) for r in rows]}
                for kind, rows in self.measure_rows.items()}} if self.measure_rows else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], measures: Sequence[Any] = ()) -> Results:
        """A run from its results.json content; a ValueError that names the top-level keys
        missing, or the row (its kind and index) and the fields it lacks. `measures`: the
        plugin measures whose rows it may hold (`load_results` gives those installed)."""
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
            **_measures(data.get("measures"), measures),
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
        parts += [_count(len(rows), f"{kind} row") for kind, rows in self.measure_rows.items()]
        parts += ["interrupted"] if self.interrupted else []
        if self.gates:
            parts.append("gates held" if self.gates.held else "gates failed")
        return f"<Results: {', '.join(parts)}>"

    def _repr_html_(self) -> str:
        """The summary, the graded tests' correlations and the gates' verdict, for notebooks."""
        from harness.results.notebook import results_html

        return results_html(repr(self), self.summary_rows, self.correlation_rows,
                            self.gates.lines if self.gates else None)

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

    def measure_frame(self, kind: str) -> pd.DataFrame:
        """One row per backend and row of a plugin's kind of test, with its fields."""
        import pandas as pd

        return pd.DataFrame([self.measures[kind].to_dict(r)
                             for r in self.measure_rows.get(kind, [])])

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


def _measures(data: Any, measures: Sequence[Any]) -> dict[str, Any]:
    """results.json's `measures` (a plugin kind's rows and summaries) as Results' fields, each
    row read by its measure; a ValueError names a kind none of `measures` is."""
    if not data:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"measures is {json_kind(data)}, not an object")
    known = {m.kind: m for m in measures}
    lacking = sorted(set(data) - set(known))
    if lacking:
        raise ValueError(f"measures holds rows of the kind {lacking[0]!r}, which none of the "
                         "measures given reads: install the plugin that provides it and pass "
                         "its measure (Results.from_dict(data, [m.measure for m in "
                         "harness.plugin_api.make_plugin_host().measures()]))")
    return {"measures": {kind: known[kind] for kind in data},
            "measure_rows": {kind: [known[kind].from_dict(r) for r in part.get("rows", [])]
                             for kind, part in data.items()},
            "measure_summaries": {kind: [known[kind].summary_from_dict(s)
                                         for s in part.get("summary", [])]
                                  for kind, part in data.items()}}


def _is_context(value: Any) -> bool:
    """[text] or [text, start, end], the span inside the text."""
    if not isinstance(value, list) or not value or not isinstance(value[0], str):
        return False
    if len(value) == 1:
        return True
    return (len(value) == 3 and all(type(n) is int for n in value[1:])
            and 0 <= value[1] <= value[2] <= len(value[0]))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
