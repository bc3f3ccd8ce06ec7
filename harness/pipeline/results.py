"""The outcome of a run, and its results.json form (schema 1)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from harness._version import __version__
from harness.pipeline.correlation import CorrelationResult, PairResult
from harness.pipeline.scoring import ExpectationResult, SummaryRow

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = 1
# Keys results.json still writes under their old names, for one release: backends[NAME].geometry
# is backends[NAME].calibration (renamed in 0.3: `harness geometry` means Ethayarajh's measures).
DEPRECATED_KEYS = {"backends[NAME].geometry": "backends[NAME].calibration"}


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
        """A record of results.json (one written before 0.3 has `geometry` for `calibration`)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
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
        else:  # the key's name before 0.3, kept for one release (DEPRECATED_KEYS)
            out["geometry"] = self.calibration
        return out


@dataclass
class GateReport:
    """What the CI gates of a run said: which ran, whether they held, and one line per finding
    (warnings, regressions, backends not checked, the verdict)."""

    checked: list[str]
    held: bool
    lines: list[str]
    thresholds: dict[str, float] = field(default_factory=dict)  # min_spearman (for junit.xml)

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
            "similarities": self.similarities if similarities else {},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Results:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"results schema {data.get('schema')!r} is not {SCHEMA}")
        return cls(
            suites=list(data["suites"]),
            backends={name: BackendRecord.from_dict(name, rec)
                      for name, rec in data["backends"].items()},
            summary_rows=[_read(SummaryRow, s) for s in data["summary"]],
            rows=[_read(ExpectationResult, r) for r in data["results"]],
            suite_fingerprints=dict(data.get("suite_fingerprints", {})),
            similarities=dict(data.get("similarities", {})),
            created=data.get("created", ""),
            harness_version=data.get("harness_version", ""),
            interrupted=bool(data.get("interrupted", False)),
            gates=GateReport(**data["gates"]) if data.get("gates") else None,
            weak_below=data.get("weak_below", 0.5),
            correlation_rows=[_read(CorrelationResult, c) for c in data.get("correlations", [])],
            pair_rows=[_read(PairResult, p) for p in data.get("pair_results", [])],
        )

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


def _read(kind: type, data: dict[str, Any]) -> Any:
    """A row of results.json as `kind`, keys it does not know left out."""
    names = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in data.items() if k in names})


def _row(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """A row as a dict, without `error` when there is none (faster than dataclasses.asdict,
    which a run of 100,000 expectations would feel)."""
    out = {name: getattr(row, name) for name in names}
    if out.get("error") is None:
        out.pop("error", None)
    return out
