"""Whole-process timings of `harness run -b minilm` against the hand-written loop and the
notebook's settings, on one suite of about 3000 WordNet contexts; plus the FLOP-bound ceiling
of the embedding work and the share of it the backend reaches. Ratios, not seconds, are the
figures: they are measured in one run, on one machine.

    python benchmarks/bench_runs.py [--tests N] [--rounds R]   (needs wordnet-base, hf extra)
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
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from harness.runner import unique_items  # noqa: E402
from harness.suite import load_suite  # noqa: E402
from harness.suite_builders import wordnet_suite  # noqa: E402

HARNESS = [sys.executable, "-m", "harness"]




def timed_process(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def flop_ceiling(suite_path: Path) -> tuple[float, float, float, int]:
    """(matmul FLOP/s, FLOPs of the embedding work, its seconds in the backend, tokens)."""
    import torch

    from harness.embedding import embed_items
    from harness.plugins.manager import load_registry

    size, best = 2048, float("inf")
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(5):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    matmul = 2 * size**3 / best

    items = unique_items([load_suite(suite_path)])
    backend = load_registry().create("minilm")
    embed_items(backend, items[:16])  # load and warm up
    start = time.perf_counter()
    embed_items(backend, items)
    seconds = time.perf_counter() - start
    model = backend._model
    params = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
    spec = backend._spec
    texts = {item.text for item in items}
    tokens = sum(len(e.ids) + 2 for e in spec.tokenizer.encode_batch(
        list(texts), add_special_tokens=False))
    return matmul, 2.0 * params * tokens, seconds, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000, help="WordNet tests in the suite")
    parser.add_argument("--rounds", type=int, default=3,
                        help="each process is timed this many times, interleaved; the best counts")
    args = parser.parse_args()
    rounds = args.rounds
    work = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    suite = work / "wordnet-bench.yaml"
    built = wordnet_suite(tests=args.tests, name="wordnet-bench", output=str(suite))
    built.write(suite)
    n_contexts = len(unique_items([load_suite(suite)]))
    print(f"suite: {n_contexts} WordNet contexts ({suite})")

    help_time = min(timed_process([*HARNESS, "--help"]) for _ in range(5))
    run = [*HARNESS, "run", str(suite), "-b", "minilm", "--no-progress"]
    times: dict[str, list[float]] = {"cold": [], "warm": [], "hand": []}
    for round_ in range(rounds):  # interleaved, so that a noisy minute hits every method
        cache = {"HARNESS_CACHE_DIR": str(work / f"cache-{round_}")}  # empty: a cold run
        times["cold"].append(timed_process([*run, "-o", str(work / "cold")], cache))
        times["warm"].append(timed_process([*run, "-o", str(work / "warm")], cache))
        times["hand"].append(timed_process([sys.executable, str(HERE / "handwritten.py"),
                                            str(suite)]))
    cold, warm, hand = (min(times[k]) for k in ("cold", "warm", "hand"))
    notebook = timed_process([sys.executable, str(HERE / "handwritten.py"), str(suite),
                              "--notebook"])  # once: it is slow, and far behind anyway
    matmul, flops, embed_seconds, tokens = flop_ceiling(suite)
    share = flops / embed_seconds / matmul

    rows = [
        ("harness run, cold", cold), ("harness run, warm (cache)", warm),
        ("hand-written loop", hand), ("notebook settings", notebook),
    ]
    print(f"\nbest of {rounds} interleaved rounds (notebook: one run)")
    print(f"{'whole process':<28} {'seconds':>8} {'x hand-written':>15}")
    for name, seconds in rows:
        print(f"{name:<28} {seconds:>8.2f} {hand / seconds:>15.2f}")
    print(f"\nharness --help: {help_time:.3f} s")
    print(f"FLOP ceiling: {tokens} real tokens x 2 x non-embedding parameters = "
          f"{flops / 1e9:.1f} GFLOP; a 2048^2 matmul runs at {matmul / 1e9:.1f} GFLOP/s, so "
          f"{flops / matmul:.2f} s at best; the backend took {embed_seconds:.2f} s: "
          f"{100 * share:.0f}% of the ceiling")
    print("\ntargets:")
    for ok, text in [
        (cold <= hand, f"cold run no slower than the hand-written loop ({hand / cold:.2f}x)"),
        (cold / warm >= 5, f"warm run at least 5x faster than cold ({cold / warm:.1f}x)"),
        (share >= 0.6, f"at least 60% of the FLOP ceiling ({100 * share:.0f}%)"),
        (help_time < 0.3, f"harness --help under 0.3 s ({help_time:.3f} s)"),
    ]:
        print(f"  {'met ' if ok else 'MISS'} {text}")


if __name__ == "__main__":
    main()
