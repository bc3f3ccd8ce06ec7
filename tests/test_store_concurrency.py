"""The results store under concurrency: four processes recording at once lose nothing, and a
process killed (SIGKILL) in the middle of writing a run leaves no part of it; the store stays
usable. No wall-clock assertion: these pass on a busy 2-core machine."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from harness.results.model import BackendRecord, Results
from harness.results.rows import ExpectationResult, SummaryRow
from harness.results.store import Store
from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

ITEMS = 3000


def synthetic(seed: int, items: int = ITEMS) -> Results:
    """A run of one backend on one suite with `items` expectations (no model needed)."""
    rng = random.Random(seed)
    name, suite = f"model-{seed % 3}", "suite"
    rows = []
    for i in range(items):
        closer, farther = rng.random(), rng.random()
        rows.append(ExpectationResult(name, suite, f"t{i // 10}", f"e{i}", closer, farther,
                                      closer - farther, 0.0, closer > farther, False))
    passed = sum(r.passed for r in rows)
    return Results(suites=[suite], backends={name: BackendRecord(
        name, "fake", {"seed": seed}, f"fp{seed}", {"harness": "0.4.0"})},
        summary_rows=[SummaryRow(name, suite, passed, items, passed / items, 0, 0, 0)],
        rows=rows, suite_fingerprints={suite: "abc"}, created="2026-12-08T03:00:00+00:00")


def child(path: str, seed: int, runs: int, signal_writes: bool = False) -> None:
    """Record `runs` synthetic runs (forever when 0); with `signal_writes`, print `begun` once
    each run's transaction has begun."""
    class Signalling(Store):
        def _write(self, *args, **kwargs):
            if signal_writes:
                print("begun", flush=True)
            return super()._write(*args, **kwargs)

    store = Signalling(path)
    done = 0
    while runs == 0 or done < runs:
        store.record(synthetic(seed * 1000 + done))
        done += 1


def spawn(path, seed: int, runs: int, signal_writes: bool = False) -> subprocess.Popen:
    code = (f"from tests.test_store_concurrency import child; "
            f"child({str(path)!r}, {seed}, {runs}, {signal_writes})")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def assert_every_run_complete(store: Store) -> None:
    for info in store.runs():
        results = store.load(info.id).results
        assert len(results.rows) == ITEMS
        (count,), = store._query(
            "SELECT count(*) FROM ordering_items i JOIN run_backends b ON i.backend = b.id "
            "WHERE b.run_id = ?", (info.id,))
        assert count == ITEMS


def test_four_processes_recording_at_once_lose_nothing(tmp_path):
    path = tmp_path / "store.sqlite"
    children = [spawn(path, seed, 4) for seed in range(4)]
    for proc in children:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-2000:]
    store = Store(path)
    assert len(store) == 16
    assert_every_run_complete(store)


def test_a_process_killed_mid_write_leaves_no_half_run(tmp_path):
    path = tmp_path / "store.sqlite"
    rng = random.Random(29)
    for attempt in range(3):
        proc = spawn(path, attempt + 1, 0, signal_writes=True)
        begun = 0
        wanted = rng.randint(1, 3)  # killed within the wanted-th run's transaction
        while begun < wanted:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()[-2000:]
            begun += line.strip() == "begun"
        time.sleep(rng.uniform(0, 0.05))  # a random point of (or after) that transaction
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
    store = Store(path)
    assert_every_run_complete(store)
    before = len(store)
    store.record(synthetic(99))  # still usable
    assert len(store) == before + 1
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
