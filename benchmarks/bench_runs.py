"""Whole-process timings of `harness run -b minilm` on one suite of WordNet sense tests: cold
(empty cache; with the baseline on the 2,000-item reference sample, and without it, which is the
same work as the loop), warm (every vector cached), against the hand-written loop a careful
engineer writes and the notebook's settings; a warm run of suites/polysemy.yaml on the three default
backends against `harness validate` of the same suite; `harness --help`; and the FLOP-bound
ceiling of the embedding work and the share of it the backend reaches. Ratios, not seconds,
are the figures: each is the median of pairs measured in turn, on one machine.

    python benchmarks/bench_runs.py [--tests N] [--rounds R]   (needs wordnet-base, hf extra)

Processes run with bytecode writing on (PYTHONDONTWRITEBYTECODE unset), as on a user's machine,
after one untimed run: a sandbox that forbids writing bytecode recompiles the harness's own
modules in every process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from harness.pipeline.runner import unique_items  # noqa: E402
from harness.suites.builders import wordnet_suite  # noqa: E402
from harness.suites.validate import load_suite  # noqa: E402

HARNESS = [sys.executable, "-m", "harness"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
POLYSEMY = str(ROOT / "suites" / "polysemy.yaml")


def timed_process(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**ENV, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def flop_ceiling(suite_path: Path) -> tuple[float, float, float, int]:
    """(matmul FLOP/s, FLOPs of the embedding work, its seconds in the backend, tokens)."""
    import torch

    from harness.pipeline.embedding import embed_items
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
    weights = backend._model.w  # the compact BERT encoder's tensors, by name
    params = sum(t.numel() for name, t in weights.items() if not name.startswith("embeddings"))
    texts = {item.text for item in items}
    tokens = sum(len(e.ids) + 2 for e in backend._spec.tokenizer.encode_batch(
        list(texts), add_special_tokens=False))
    return matmul, 2.0 * params * tokens, seconds, tokens


def medians(pairs: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(times) for name, times in pairs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000, help="WordNet tests in the suite")
    parser.add_argument("--rounds", type=int, default=3,
                        help="each process is timed this many times, in turn; medians count")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    suite = work / "wordnet-bench.yaml"
    wordnet_suite(tests=args.tests, name="wordnet-bench", output=str(suite)).write(suite)
    n_contexts = len(unique_items([load_suite(suite)]))
    print(f"suite: {n_contexts} WordNet contexts ({suite})")

    run = [*HARNESS, "run", str(suite), "-b", "minilm", "--no-progress"]
    polysemy = {"HARNESS_CACHE_DIR": str(work / "cache-polysemy")}
    warm_polysemy = [*HARNESS, "run", POLYSEMY, "--no-progress", "-o", str(work / "polysemy")]
    validate = [*HARNESS, "validate", POLYSEMY]
    timed_process(warm_polysemy, polysemy)  # fills the cache, writes bytecode
    timed_process(validate)
    help_times = [timed_process([*HARNESS, "--help"]) for _ in range(5)]
    times: dict[str, list[float]] = {k: [] for k in (
        "cold", "cold, no baseline", "warm", "hand", "warm polysemy", "validate")}
    for round_ in range(args.rounds):  # in turn, so that a noisy minute hits every method
        cache = {"HARNESS_CACHE_DIR": str(work / f"cache-{round_}")}  # empty: a cold run
        times["cold"].append(timed_process([*run, "-o", str(work / "cold")], cache))
        times["warm"].append(timed_process([*run, "-o", str(work / "warm")], cache))
        bare = {"HARNESS_CACHE_DIR": str(work / f"cache-bare-{round_}")}
        times["cold, no baseline"].append(timed_process(
            [*run, "--no-reference", "-o", str(work / "bare")], bare))
        times["hand"].append(timed_process([sys.executable, str(HERE / "handwritten.py"),
                                            str(suite)]))
        for _ in range(5):  # short processes: more pairs
            times["warm polysemy"].append(timed_process(warm_polysemy, polysemy))
            times["validate"].append(timed_process(validate))
    pair_ratio = statistics.median(w / v for w, v in zip(times["warm polysemy"],
                                                        times["validate"]))
    median = medians(times)
    notebook = timed_process([sys.executable, str(HERE / "handwritten.py"), str(suite),
                              "--notebook"])  # once: it is slow, and far behind anyway
    matmul, flops, embed_seconds, tokens = flop_ceiling(suite)
    share = flops / embed_seconds / matmul
    cold, warm, hand = median["cold"], median["warm"], median["hand"]
    bare = median["cold, no baseline"]

    rows = [
        ("harness run, cold", cold), ("cold, --no-reference", bare),
        ("harness run, warm (cache)", warm),
        ("hand-written loop", hand), ("notebook settings", notebook),
    ]
    print(f"\nmedians of {args.rounds} rounds in turn (notebook: one run)")
    print(f"{'whole process':<28} {'seconds':>8} {'x hand-written':>15}")
    for name, seconds in rows:
        print(f"{name:<28} {seconds:>8.2f} {hand / seconds:>15.2f}")
    print(f"\npolysemy.yaml, three default backends: warm run {median['warm polysemy']:.3f} s, "
          f"validate {median['validate']:.3f} s: {pair_ratio:.2f}x (median of "
          f"{len(times['validate'])} pairs)")
    print(f"harness --help: {statistics.median(help_times):.3f} s")
    print(f"FLOP ceiling: {tokens} real tokens x 2 x non-embedding parameters = "
          f"{flops / 1e9:.1f} GFLOP; a 2048^2 matmul runs at {matmul / 1e9:.1f} GFLOP/s, so "
          f"{flops / matmul:.2f} s at best; the backend took {embed_seconds:.2f} s: "
          f"{100 * share:.0f}% of the ceiling")
    print("\ntargets:")
    for ok, text in [
        (bare / hand <= 0.85, "cold run (--no-reference: the loop's work) at most 0.85x the "
         f"hand-written loop ({bare / hand:.2f}x; with the baseline {cold / hand:.2f}x)"),
        (cold / warm >= 10, f"cold run at least 10x a warm one ({cold / warm:.1f}x)"),
        (pair_ratio <= 3, f"warm run at most 3x `harness validate` ({pair_ratio:.2f}x)"),
        (share >= 0.6, f"at least 60% of the FLOP ceiling ({100 * share:.0f}%)"),
        (statistics.median(help_times) < 0.5,  # it loads plugins, for their commands
         f"harness --help under 0.5 s ({statistics.median(help_times):.3f} s)"),
    ]:
        print(f"  {'met ' if ok else 'MISS'} {text}")


if __name__ == "__main__":
    main()
