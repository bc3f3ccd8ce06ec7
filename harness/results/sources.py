"""Where the leaderboard and the history read runs from: the results store (`--store PATH`), or
folders: a folder of exported runs (`harness runs export`), a run folder holding results.json
(the run gets an id from its file's content, so the same file always reads as the same run),
a results.json itself, or a folder whose sub-folders are run folders."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.results.runs import EXPORT_SCHEMA, RunInfo, StoredRun, exported_files, read_exported


@dataclass
class Sources:
    """The runs read, and the run folder of each run read from one (its report.html's home)."""

    runs: list[StoredRun] = field(default_factory=list)
    folders: dict[str, Path] = field(default_factory=dict)  # run id -> its run folder


def from_store(path: str | Path) -> list[StoredRun]:
    """Every run of the results store at `path`, newest first."""
    from harness.results.store import Store

    return Store(path).stored_runs()


def _results_run(path: Path) -> StoredRun:
    from harness.results.load import load_results

    results = load_results(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    info = RunInfo(id=digest, created=results.created, harness_version=results.harness_version,
                   command="", commit=None, labels={})
    return StoredRun(info, results)


def _is_exported(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and data.get("schema") == EXPORT_SCHEMA and "run" in data \
        and "results" in data


def read_sources(paths: Sequence[str | Path], store: str | Path | None = None) -> Sources:
    """The runs of the store and of the folders (each run once, by id); a HarnessError naming a
    path that holds no run."""
    out = Sources()
    seen: set[str] = set()

    def add(run: StoredRun, folder: Path | None = None) -> None:
        if run.info.id not in seen:
            seen.add(run.info.id)
            out.runs.append(run)
            if folder is not None:
                out.folders[run.info.id] = folder

    if store is not None:
        for run in from_store(store):
            add(run)
    for given in map(Path, paths):
        if given.is_file():
            add(read_exported(given) if _is_exported(given) else _results_run(given),
                None if _is_exported(given) else given.parent)
        elif (given / "results.json").is_file():
            add(_results_run(given / "results.json"), given)
        elif given.is_dir():
            exported = [p for p in exported_files(given) if _is_exported(p)]
            inner = sorted(p.parent for p in given.glob("*/results.json"))
            if not exported and not inner:
                raise HarnessError(f"{given}: no runs in it (no exported run files, no "
                                   "results.json, no run folders); give a folder that "
                                   "`harness runs export` or `harness run -o` wrote")
            for path in exported:
                add(read_exported(path))
            for folder in inner:
                add(_results_run(folder / "results.json"), folder)
        else:
            raise HarnessError(f"{given}: no such file or folder")
    return out
