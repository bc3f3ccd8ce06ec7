"""The results store at scale: a synthetic store of M models x S suites x N items (default
200 x 20 x 1,500: 6 million item rows), written as exported run files (one run per model, as
`harness runs export` writes them) and imported through the real import path
(`harness runs import`, each step a whole process) in steps, 20 models, then up to 50, 100 and
200: seconds, store MB on disk and the import's peak resident MB per step, and per model, to
show how both grow.

    python benchmarks/bench_store.py [--models 20,50,100,200] [--suites 20] [--items 1500]
    python benchmarks/bench_store.py --tiny      (CI: 2,3 models x 2 suites x 30 items)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def exported_run(model: int, suites: int, items: int, seed: int = 29) -> dict:
    """One model's run on every suite, in the exported form (`StoredRun.to_dict`)."""
    rng = random.Random(seed * 100_003 + model)
    name = f"model-{model:03d}"
    skill = rng.uniform(0.4, 0.9)
    rows, summary = [], []
    for s in range(suites):
        suite = f"suite-{s:02d}"
        passed = 0
        for i in range(items):
            closer = rng.uniform(0, 1)
            margin = rng.gauss(0.05 if rng.random() < skill else -0.05, 0.05)
            ok = margin > 0
            passed += ok
            rows.append({"backend": name, "suite": suite, "test": f"t{i // 5:04d}",
                         "expectation": f"e{i % 5}", "sim_closer": closer,
                         "sim_farther": closer - margin, "margin": margin,
                         "required_margin": 0.0, "passed": ok, "tie": False, "error": None,
                         "margin_sd": None, "weak": False})
        summary.append({"backend": name, "suite": suite, "passed": passed, "total": items,
                        "accuracy": passed / items, "ties": 0, "tests_passed": 0,
                        "tests_total": items // 5, "unscored": 0, "status": "ok",
                        "error": None, "weak": 0, "median_margin_sd": None,
                        "graded_tests": 0, "median_spearman": None})
    created = f"2026-12-{1 + model % 28:02d}T{model % 24:02d}:00:00+00:00"
    results = {
        "schema": 1, "harness_version": "0.4.0", "created": created, "interrupted": False,
        "gates": None, "weak_below": 0.5, "suites": [f"suite-{s:02d}" for s in range(suites)],
        "suite_fingerprints": {f"suite-{s:02d}": f"{s:016x}" for s in range(suites)},
        "backends": {name: {"plugin": "static", "options": {"seed": model},
                            "fingerprint": f"{model:016x}", "versions": {"harness": "0.4.0"},
                            "status": "ok", "context_free": True}},
        "summary": summary, "results": rows, "correlations": [], "pair_results": [],
        "tests": {}, "similarities": {}}
    run = {"id": uuid.UUID(int=random.Random(model).getrandbits(128)).hex, "created": created,
           "harness_version": "0.4.0", "command": "bench_store", "commit": None,
           "labels": {"bench": "store"}}
    return {"schema": 1, "run": run, "results": results}


def measure(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident MB of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024  # kB on Linux


def store_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def bench(steps: list[int], suites: int, items: int, work: Path) -> list[dict]:
    store = work / "store.sqlite"
    rows, done = [], 0
    for models in steps:
        folder = work / f"upto-{models}"
        folder.mkdir()
        for model in range(done, models):
            data = exported_run(model, suites, items)
            (folder / f"{model:03d}-{data['run']['id']}.json").write_text(json.dumps(data))
        seconds, rss = measure([sys.executable, "-m", "harness", "runs", "--store", str(store),
                                "--no-config", "import", str(folder)])
        added = models - done
        rows.append({"models": models, "item_rows": models * suites * items,
                     "import_s": seconds, "s_per_model": seconds / added,
                     "store_mb": store_mb(store), "mb_per_model": store_mb(store) / models,
                     "peak_rss_mb": rss})
        for file in folder.iterdir():  # the exported files: not kept (1.5 GB at full size)
            file.unlink()
        done = models
    check = subprocess.run([sys.executable, "-c", "import sys; from harness.results.store "
                            "import Store; print(len(Store(sys.argv[1])))", str(store)],
                           capture_output=True, text=True, env=ENV)
    if check.returncode or int(check.stdout) != steps[-1]:
        raise SystemExit(f"the store holds {check.stdout.strip()} runs, not {steps[-1]}: "
                         f"{check.stderr[-2000:]}")
    return rows


def table(rows: list[dict], suites: int, items: int) -> str:
    lines = [f"{suites} suites x {items:,} items per model, one run per model, imported "
             "from exported files by `harness runs import` (each step a whole process)", "",
             "| models | item rows | import s (this step) | s per model | store MB | "
             "MB per model | peak RSS MB |", "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['models']} | {r['item_rows']:,} | {r['import_s']:.1f} | "
              f"{r['s_per_model']:.2f} | {r['store_mb']:.0f} | {r['mb_per_model']:.2f} | "
              f"{r['peak_rss_mb']:.0f} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="20,50,100,200",
                        help="the store's size in models after each step (default "
                        "20,50,100,200)")
    parser.add_argument("--suites", type=int, default=20)
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--tiny", action="store_true", help="2,3 models x 2 suites x 30 items")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    steps = [2, 3] if args.tiny else sorted(int(m) for m in args.models.split(","))
    suites, items = (2, 30) if args.tiny else (args.suites, args.items)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as work:
        rows = bench(steps, suites, items, Path(work))
    print(table(rows, suites, items))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
