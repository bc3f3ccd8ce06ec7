"""The Ray executor's overhead on one machine: whole `harness run` processes on the same suite,
local against `--executor ray` (a local Ray started by the run), best of two interleaved rounds,
no embedding cache (both compute every vector).

    python benchmarks/bench_executors.py [SUITE] [-b BACKEND]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("suite", nargs="?", default=str(ROOT / "suites" / "wordnet.yaml"))
    parser.add_argument("-b", "--backend", default="minilm")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-executors-"))
    base = [sys.executable, "-m", "harness", "run", args.suite, "-b", args.backend,
            "--no-cache", "--no-progress", "-o", str(out)]
    times: dict[str, list[float]] = {"local": [], "ray": []}
    for _ in range(args.rounds):
        times["local"].append(timed(base))
        times["ray"].append(timed([*base, "--executor", "ray"]))
    local, ray = min(times["local"]), min(times["ray"])
    print(f"{args.suite}, -b {args.backend}, best of {args.rounds} interleaved rounds")
    print(f"local executor  {local:7.2f} s")
    print(f"ray executor    {ray:7.2f} s   ({ray / local:.2f}x local; overhead "
          f"{ray - local:+.2f} s: starting Ray, a worker process, loading the model there)")


if __name__ == "__main__":
    main()
