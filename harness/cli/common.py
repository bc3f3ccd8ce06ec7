"""What several commands share: exit codes, logging, reading suites, the plugin registry, the
output folder, the cache choice, the progress bar, and how failed backends are reported."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from harness.errors import HarnessError

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


def interrupted_exit(exc: BaseException | None = None) -> int:
    """130 after Ctrl-C, 143 after SIGTERM (as a shell reports a process those signals end)."""
    from harness.errors import Terminated

    return EXIT_TERMINATED if isinstance(exc, Terminated) or TERMINATED else EXIT_INTERRUPTED


TERMINATED = False  # set by the SIGTERM handler of `main`


def setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("harness: %(levelname)s: %(message)s"))
    root = logging.getLogger("harness")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def error(message: str) -> None:
    print(f"harness: error: {message}", file=sys.stderr)


def load_suites(paths: Sequence[str]):
    """Every suite, or one HarnessError listing the problems of all of them."""
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


def registry(args: argparse.Namespace):
    from harness.plugins.manager import load_registry

    return load_registry(strict=True if args.strict_plugins else None)


def backend_specs(args: argparse.Namespace) -> list[str]:
    """The -b specs, each once."""
    specs = [spec.strip() for spec in args.backend]
    if len(set(specs)) != len(specs):
        raise HarnessError("the same -b backend is given twice")
    return specs


def add_output_options(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("-o", "--output", metavar="DIR",
                        help=f"output folder (default: reports/{kind}-YYYYmmdd-HHMMSS)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the embedding cache")


def output_dir(args: argparse.Namespace, kind: str) -> Path:
    return Path(args.output or f"reports/{kind}-{datetime.now():%Y%m%d-%H%M%S}")


def cache(args: argparse.Namespace):
    """The embedding cache, unless --no-cache."""
    from harness.embedding_cache import EmbeddingCache

    return None if args.no_cache else EmbeddingCache()


def progress_factory(enabled: bool):
    """A progress-bar maker for the runner: None when disabled or stderr is not a terminal
    (tqdm would draw nothing there, and a warm run need not import it)."""
    if not enabled or not sys.stderr.isatty():
        return None

    def make(total: int, desc: str):
        from tqdm import tqdm

        # delay: shown only for work that takes a while
        return tqdm(total=total, desc=desc, unit="ctx", leave=False, delay=1.0, file=sys.stderr)

    return make


def report_failed_backends(results) -> bool:
    """Name every backend that failed (not one that was skipped); True if any did."""
    failed = results.failed_backends
    for rec in failed:
        error(f"backend {rec.name} {rec.status}: {rec.error}")
    return bool(failed)
