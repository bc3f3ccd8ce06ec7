"""The leaderboard's half of the scale benchmark: honest ranks (harness/measures/ranking.py)
for M models x S suites x N items of synthetic scored items, and how the time and memory grow
from 20 to 200 models. Orderings suites (McNemar, with the bound of the ranking module) and,
one in ten, graded suites (the paired bootstrap of rho, every pair tested). Each suite's column
is built, ranked and dropped in turn, as a store would hand it over; the figures are the
ranking's, not the reading of runs (the store's half of the benchmark measures that).

    python benchmarks/bench_leaderboard.py [--models 20,200] [--suites 20] [--items 1500]
    python benchmarks/bench_leaderboard.py --tiny   (CI: seconds)

Prints, per model count: seconds, peak MB (tracemalloc), the pairs tested exactly against the
pairs of the Holm family."""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.measures.ranking import rank_column  # noqa: E402
from harness.results.board import Board, Column, Entry  # noqa: E402
from harness.results.runs import RunInfo  # noqa: E402

RUN = RunInfo("0" * 32, "2026-01-01T00:00:00", "bench")


def column_board(models: int, items: int, suite: int, graded: bool) -> tuple[Board, Column]:
    """One suite's column: models of spread skill, every item scored (orderings: pass/fail;
    graded: a cosine per rated pair)."""
    rng = np.random.default_rng(suite)
    column = Column(f"suite{suite}", f"fp{suite}", "graded" if graded else "orderings",
                    f"suite{suite}")
    entries = {}
    if graded:
        ratings = rng.normal(size=items)
        for m in range(models):
            cosines = ratings + rng.normal(scale=0.5 + 2 * m / models, size=items)
            entries[f"model{m:03d}"] = Entry(f"model{m:03d}", RUN, {
                ("t", i, "a", "b"): (float(c), float(r))
                for i, (c, r) in enumerate(zip(cosines, ratings))})
    else:
        skill = np.linspace(0.55, 0.9, models)
        for m in range(models):
            passed = rng.random(items) < skill[m]
            entries[f"model{m:03d}"] = Entry(f"model{m:03d}", RUN, {
                ("t", str(i)): bool(p) for i, p in enumerate(passed)})
    return Board([column], {column: entries}), column


def measure(models: int, suites: int, items: int, resamples: int) -> dict:
    tracemalloc.start()
    start = time.perf_counter()
    tested = family = 0
    for suite in range(suites):
        board, column = column_board(models, items, suite, graded=suite % 10 == 9)
        ranked = rank_column(board, column, resamples=resamples)
        tested += ranked.tested
        family += ranked.comparisons
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"models": models, "seconds": seconds, "peak_mb": peak, "tested": tested,
            "family": family}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="20,200", help="model counts, comma-separated")
    parser.add_argument("--suites", type=int, default=20)
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for CI")
    args = parser.parse_args()
    if args.tiny:
        args.models, args.suites, args.items, args.resamples = "4,8", 10, 60, 50
    rows = [measure(int(m), args.suites, args.items, args.resamples)
            for m in args.models.split(",")]
    print(f"{args.suites} suites x {args.items} items, {args.resamples} resamples")
    print("| models | seconds | peak MB | pairs tested / Holm family |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['models']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | "
              f"{row['tested']:,} / {row['family']:,} |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"x{last['models'] / first['models']:g} models: x"
              f"{last['seconds'] / max(first['seconds'], 1e-9):.1f} seconds, x"
              f"{last['peak_mb'] / max(first['peak_mb'], 1e-9):.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
