"""Scale: `harness validate` and `harness run -b glove-50d` on suites of 1,000, 10,000 and
100,000 WordNet tests (benchmarks/scale_suites.py, seeded), each a whole process: seconds and
peak memory, as ratios to a bare `yaml.compose` of the same file with PyYAML's C loader and as
seconds per test.

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000]   (needs wordnet-base)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale_suites import scale_suite  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
COMPOSE = ("import sys, yaml; yaml.compose(open(sys.argv[1], encoding='utf-8').read(), "
           "Loader=yaml.CSafeLoader)")
HARNESS = [sys.executable, "-m", "harness"]


def measure(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident MB of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="tests per suite, comma-separated (the last two: the linearity "
                        "target)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    rows = []
    for n in sizes:
        suite = work / f"scale-{n}.yaml"
        suite.write_text(scale_suite(n), encoding="utf-8")
        megabytes = suite.stat().st_size / 2**20
        measure([*HARNESS, "validate", str(suite)])  # writes bytecode, warms the disk cache
        compose = measure([sys.executable, "-c", COMPOSE, str(suite)])
        validate = measure([*HARNESS, "validate", str(suite)])
        run = measure([*HARNESS, "run", str(suite), "-b", "glove-50d", "--no-cache",
                       "--no-progress", "-o", str(work / f"run-{n}")])
        written = sorted((p.name, p.stat().st_size / 2**20) for p in (work / f"run-{n}").iterdir())
        rows.append((n, megabytes, compose, validate, run, written))

    print(f"{'tests':>7} {'MB':>6} {'compose s':>9} {'validate s':>10} {'x compose':>9} "
          f"{'peak MB':>8} {'x file':>6} {'run s':>7} {'ms/test':>7} {'run peak MB':>11}")
    for n, mb, (c_s, _), (v_s, v_mb), (r_s, r_mb), _ in rows:
        print(f"{n:>7} {mb:>6.1f} {c_s:>9.2f} {v_s:>10.2f} {v_s / c_s:>9.2f} {v_mb:>8.0f} "
              f"{v_mb / mb:>6.1f} {r_s:>7.2f} {1000 * r_s / n:>7.3f} {r_mb:>11.0f}")
    n, mb, (c_s, _), (v_s, v_mb), (r_s, r_mb), written = rows[-1]
    print(f"\nwritten by the run of {n} tests: "
          + ", ".join(f"{name} {size:.1f} MB" for name, size in written))
    small, large = rows[-2] if len(rows) > 1 else rows[-1], rows[-1]
    growth = (large[4][0] / large[0]) / (small[4][0] / small[0])
    print("\ntargets (on the largest suite):")
    for ok, text in [
        (True, f"a suite of {n} tests ({mb:.1f} MB) is accepted"),
        (v_s / c_s <= 1.5, f"validate at most 1.5x a bare C-loader compose ({v_s / c_s:.2f}x)"),
        (v_mb / mb <= 20, f"validate's peak memory at most 20x the file ({v_mb / mb:.1f}x)"),
        (growth <= 1.2, f"run time per test at {large[0]} tests at most 1.2x that at "
                        f"{small[0]} ({growth:.2f}x)"),
        (r_mb < 2048, f"run -b glove-50d under 2 GB ({r_mb:.0f} MB)"),
    ]:
        print(f"  {'met ' if ok else 'MISS'} {text}")


if __name__ == "__main__":
    main()
