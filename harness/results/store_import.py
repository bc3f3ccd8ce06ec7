"""Importing runs into the results store (`Store.import_from`, `harness runs import`): exported
run files and folders (`harness runs export`), another store file, and results.json files or
report folders written by 0.3 and later. A results.json has no run id: its id is derived from
the file's bytes (the first 32 hex digits of their SHA-256), so importing it again skips it.
Folders are walked without following symbolic links; JSON files in them that are neither an
exported run nor a results.json (wic.json, ...) are counted as ignored."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.results.runs import RunInfo, StoredRun

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Imported:
    """What an import did: runs added, runs skipped (their id was stored already), files in
    the folders given that hold no run."""

    added: int = 0
    skipped: int = 0
    ignored: list[Path] = field(default_factory=list)

    def text(self) -> str:
        extra = f", {len(self.ignored)} file(s) holding no run ignored" if self.ignored else ""
        return f"{self.added} run(s) added, {self.skipped} already stored{extra}"


def import_into(store: Any, paths: list[Path]) -> Imported:
    done = Imported()
    for path in paths:
        if path.is_dir():
            for file in _json_files(path):
                _import_file(store, file, done, strict=False)
        elif path.is_file():
            _import_file(store, path, done, strict=True)
        else:
            raise HarnessError(f"{path}: no such file or folder to import")
    return done


def _json_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):  # followlinks=False: links are not walked
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if f.endswith(".json")
                  and not f.startswith(".") and not (Path(root) / f).is_symlink()]
    return found


def _add(store: Any, run: StoredRun, done: Imported,
         study: tuple[str, dict] | None = None) -> None:
    from harness.results.store_blob import StoreError

    if run.info.id in store:
        done.skipped += 1
        return
    try:
        store.record(run.results, run.info, study=study)
    except StoreError:
        if run.info.id not in store:
            raise
        done.skipped += 1  # another process stored it meanwhile
        return
    done.added += 1


def _import_file(store: Any, path: Path, done: Imported, strict: bool) -> None:
    from harness.results.load import results_from_data

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HarnessError(f"{path}: cannot be read ({exc})") from None
    if raw.startswith(SQLITE_HEADER):
        _import_store(store, path, done)
        return
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        if strict:
            raise HarnessError(f"{path}: neither an exported run, a results.json nor a "
                               f"results store ({exc})") from None
        done.ignored.append(path)
        return
    if isinstance(data, dict) and {"run", "results"} <= set(data):
        if data.get("schema") != 1:
            raise HarnessError(f"{path}: exported run schema {data.get('schema')!r}; this "
                               "harness reads schema 1")
        try:
            info = RunInfo.from_dict(data["run"])
        except ValueError as exc:
            raise HarnessError(f"{path}: not an exported run ({exc})") from None
        _add(store, StoredRun(info, results_from_data(data["results"], path)), done)
    elif isinstance(data, dict) and {"schema", "suites", "backends"} <= set(data):
        results = results_from_data(data, path)
        info = RunInfo(id=hashlib.sha256(raw).hexdigest()[:32], created=results.created,
                       harness_version=results.harness_version, command="", commit=None,
                       labels={})
        _add(store, StoredRun(info, results), done)
    elif strict:
        raise HarnessError(f"{path}: neither an exported run (`harness runs export` writes "
                           "them) nor a results.json (`harness run` writes one)")
    else:
        done.ignored.append(path)


def _import_store(store: Any, path: Path, done: Imported) -> None:
    """Every run of another store file (read only; its schema as migration 1 made it)."""
    from harness.results.store_blob import unpack

    if path.resolve() == store.path.resolve():
        raise HarnessError(f"{path}: this is the store being imported into")
    try:
        other = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
        rows = other.execute("SELECT r.id, r.created, r.harness_version, r.command, "
                             "r.git_commit, r.labels, r.results, s.kind, s.content FROM runs r "
                             "LEFT JOIN studies s ON s.run_id = r.id ORDER BY r.rowid")
        for run_id, created, version, command, commit, labels, blob, kind, content in rows:
            info = RunInfo(id=run_id, created=created, harness_version=version,
                           command=command, commit=commit, labels=json.loads(labels))
            results = unpack(blob, f"{path} run {run_id}")
            _add(store, StoredRun(info, results), done,
                 (kind, json.loads(content)) if kind else None)
        other.close()
    except sqlite3.Error as exc:
        raise HarnessError(f"{path}: not a results store this harness reads ({exc})") from None
