"""A finished run as the results store keeps it: what ran (`RunInfo`: id, time, version, command,
git commit, labels) and its `Results`; and its exported form, one JSON file per run, that a
folder committed to git holds (`harness runs export`) and `harness leaderboard` reads directly.

An exported run is ``{"schema": 1, "run": {...RunInfo...}, "results": {...results.json...}}``
in a file named ``<created>-<id>.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.results.model import Results, json_kind

EXPORT_SCHEMA = 1
_ID = re.compile(r"^[0-9a-f]{32}$")
_RUN_KEYS = ("id", "created", "harness_version", "command", "commit", "labels")


@dataclass(frozen=True)
class RunInfo:
    """What identifies a stored run: a random id (uuid4 hex, kept across export and import, so
    a run imported twice is stored once), when it was made, by which harness version, the
    command line, the git commit of the working folder (None outside a repository) and the
    user's labels (`--label K=V`)."""

    id: str
    created: str
    harness_version: str
    command: str = ""
    commit: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "run") -> RunInfo:
        """A RunInfo from its JSON form; a ValueError naming the field that is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"{where} is {json_kind(data)}, not an object")
        unknown = sorted(set(data) - set(_RUN_KEYS))
        if unknown:
            raise ValueError(f"{where} has the unknown key {unknown[0]!r}")
        if not isinstance(data.get("id"), str) or not _ID.match(data["id"]):
            raise ValueError(f"{where}.id is {data.get('id')!r}, not 32 lowercase hex digits")
        for key in ("created", "harness_version", "command"):
            if not isinstance(data.get(key, ""), str):
                raise ValueError(f"{where}.{key} is {json_kind(data[key])}, not a string")
        commit = data.get("commit")
        if commit is not None and not isinstance(commit, str):
            raise ValueError(f"{where}.commit is {json_kind(commit)}, not a string or null")
        labels = data.get("labels", {})
        if not isinstance(labels, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise ValueError(f"{where}.labels is not an object of strings")
        return cls(id=data["id"], created=data.get("created", ""),
                   harness_version=data.get("harness_version", ""),
                   command=data.get("command", ""), commit=commit, labels=dict(labels))


@dataclass
class StoredRun:
    """A run of the store, or of an exported folder: its RunInfo and its Results."""

    info: RunInfo
    results: Results

    def to_dict(self) -> dict[str, Any]:
        """The exported form (see the module's docstring)."""
        return {"schema": EXPORT_SCHEMA, "run": self.info.to_dict(),
                "results": self.results.to_dict()}

    def file_name(self) -> str:
        """`<created>-<id>.json`, created as digits only so that names sort by time."""
        stamp = re.sub(r"[^0-9]", "", self.info.created)[:14] or "00000000000000"
        return f"{stamp}-{self.info.id}.json"


def read_exported(path: str | Path, measures: Iterable[Any] = ()) -> StoredRun:
    """One exported run file, or a HarnessError naming the file and what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(f"{path}: not an exported run ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != EXPORT_SCHEMA or \
            "run" not in data or "results" not in data:
        raise HarnessError(f"{path}: not an exported run (an object with schema "
                           f"{EXPORT_SCHEMA}, `run` and `results`); write one with "
                           "`harness runs export`")
    try:
        info = RunInfo.from_dict(data["run"])
        results = Results.from_dict(data["results"], list(measures))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HarnessError(f"{path}: not an exported run ({exc})") from None
    return StoredRun(info, results)


def exported_files(folder: str | Path) -> list[Path]:
    """The exported run files of a folder (`*.json` holding `run` and `results`), by name."""
    return sorted(p for p in Path(folder).glob("*.json") if p.is_file())
