"""What several commands share: exit codes, logging, reading suites, the plugin registry, the
output folder (claimed: harness/cli/folders.py), the options of every command that embeds
(`add_shared_options`: -o, --no-cache, --no-progress, --json, --executor) and the run context
they make, and how failed backends are reported. What they print goes through
harness/cli/terminal.py."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

from harness.cli import folders
from harness.cli.terminal import progress_stream, terminal_text, write_data
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


def warn(message: str) -> None:
    print(f"harness: warning: {message}", file=sys.stderr)


def add_json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """--json: `what` as one JSON object on stdout, and nothing else there (args.as_json)."""
    parser.add_argument("--json", dest="as_json", action="store_true",
                        help=f"print {what} as one JSON object on stdout, and nothing else "
                        "there (NaN as null; warnings stay on stderr)")


def quiet(args: argparse.Namespace) -> bool:
    """Whether stdout is quiet: -q before or after the command, or --json."""
    return any(getattr(args, dest, False) for dest in ("quiet", "command_quiet", "as_json"))


def print_json(data) -> None:
    """`data` as JSON on stdout, even under -q: plain JSON (NaN and infinities as null), ASCII
    (so that no character can be escaped for the terminal), one object."""
    import json

    write_data(json.dumps(json_value(data), indent=2, allow_nan=False) + "\n")


def json_value(value):
    """`value` as plain JSON values: a non-finite float is None, a tuple or set a list, a numpy
    number or array its Python value, anything else (a path) its text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return [json_value(item) for item in sorted(value, key=str)]
    for plain in ("tolist", "item"):  # numpy arrays and numbers, without importing numpy
        if callable(getattr(value, plain, None)):
            return json_value(getattr(value, plain)())
    return str(value)


def load_suites(paths: Sequence[str]):
    """Every suite, or one HarnessError listing the problems of all of them."""
    from harness.errors import SuiteError
    from harness.suites.named import load

    suites, problems = [], []
    for path in paths:
        try:
            suites.append(load(path))
        except SuiteError as exc:
            problems.append(str(exc))
    if problems:
        raise HarnessError("\n".join(problems))
    return suites


def plugin_host(args: argparse.Namespace):
    """A plugin host with the installed plugins (a failing one is fatal with --strict-plugins)."""
    from harness.plugins.manager import make_plugin_host

    return make_plugin_host(strict=True if args.strict_plugins else None,
                            instances=getattr(args, "config_instances", None))


def registry(args: argparse.Namespace):
    return plugin_host(args).registry()


def backend_specs(args: argparse.Namespace) -> list[str]:
    """The -b specs, each once."""
    specs = [spec.strip() for spec in args.backend]
    if len(set(specs)) != len(specs):
        raise HarnessError("the same -b backend is given twice")
    return specs


# The options of every command that embeds (run, sweep, wic, geometry, senses), declared here
# once (their config keys: harness.config.SHARED); -q/--quiet is every command's (cli/__init__.py).
SHARED_OPTIONS = ("-o", "--no-cache", "--no-progress", "--executor", "--ray-address",
                  "--ray-workers", "--shard-size", "--json", "-q")


def add_shared_options(parser: argparse.ArgumentParser, kind: str, json_what: str,
                       fallbacks: dict | None = None) -> None:
    """-o, --no-cache, --no-progress, --json, the executor options, and --config/--no-config
    (`fallbacks`: the defaults of options the config may set, beyond --executor's)."""
    from harness.cli import config

    parser.add_argument("-o", "--output", metavar="DIR",
                        help=f"output folder (default: reports/{kind}-YYYYmmdd-HHMMSS)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the embedding cache")
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    add_json_option(parser, json_what)
    parser.add_argument("--executor", choices=("local", "ray"), default=None,
                        help="where embeddings are computed (default: this process)")
    parser.add_argument("--ray-address", metavar="ADDR",
                        help="a Ray cluster to join: HOST:PORT, ray://HOST[:PORT] or auto "
                        "(default: $RAY_ADDRESS, else the cluster the last `ray start` on this "
                        "machine recorded, else a new local one)")
    parser.add_argument("--ray-workers", type=int, default=1, metavar="N",
                        help="Ray workers per model (default 1)")
    parser.add_argument("--shard-size", type=int, default=1024, metavar="N",
                        help="contexts per Ray task (default 1024)")
    config.add_options(parser, kind, {"executor": "local", **(fallbacks or {})})


def run_context(args: argparse.Namespace, registry=None, output: Path | None = None):
    """The run context the shared options ask for (harness/pipeline/context.py): the cache
    unless --no-cache, the executor, progress bars unless --no-progress."""
    from harness.pipeline.context import RunContext
    from harness.pipeline.embedding_cache import EmbeddingCache
    from harness.pipeline.executors import make_executor

    ray = ({"address": args.ray_address, "workers": args.ray_workers,
            "shard_size": args.shard_size} if args.executor == "ray" else {})
    return RunContext(registry=registry, cache=None if args.no_cache else EmbeddingCache(),
                      executor=make_executor(args.executor, **ray),
                      progress=progress_factory(not args.no_progress), output=output)


def study_json(args: argparse.Namespace, code: int, out_dir: Path, files, **data) -> int:
    """With --json, print a study's exit code, where its files went, and its data; `code`."""
    if getattr(args, "as_json", False):
        print_json({"exit_code": code, "output": str(out_dir),
                    "files": [str(p) for p in files], **data})
    return code


def output_dir(args: argparse.Namespace, kind: str) -> Path:
    return Path(args.output or f"reports/{kind}-{datetime.now():%Y%m%d-%H%M%S}")


@contextmanager
def output_folder(args: argparse.Namespace, kind: str) -> Iterator[folders.Claim]:
    """The output folder, claimed until the block ends (see harness/cli/folders.py): -o DIR,
    else reports/KIND-TIME (with -2, -3... when another run claimed that one). A folder that
    cannot be written gives a temporary one, with a warning now; `fell_back` says so at the
    end."""
    folder = output_dir(args, kind)
    option = "-o" if args.output else "the output folder"
    for n in range(1, 100):
        stack = ExitStack()
        try:
            claim = stack.enter_context(folders.claim_folder(
                folder if n == 1 else Path(f"{folder}-{n}"), option))
        except folders.Claimed:
            if args.output:  # the folder asked for: never another
                raise
            continue
        with stack:
            if claim.why:
                warn(f"cannot write to {claim.asked} ({claim.why}); the reports will go to "
                     f"{claim.path}")
            yield claim
        return
    raise HarnessError(f"every folder {folder}-N is claimed by another run: give one with -o")


def fell_back(claim: folders.Claim) -> bool:
    """If the reports went to a temporary folder, say where and why; True if so."""
    if claim.why:
        error(f"cannot write reports to {claim.asked} ({claim.why}); they are in {claim.path} "
              "instead")
    return bool(claim.why)


def progress_factory(enabled: bool):
    """A progress-bar maker for the runner: None when disabled or stderr is not a terminal
    (tqdm would draw nothing there, and a warm run need not import it)."""
    if not enabled or not sys.stderr.isatty():
        return None

    def make(total: int, desc: str):
        from tqdm import tqdm

        # delay: shown only for work that takes a while
        return tqdm(total=total, desc=terminal_text(desc), unit="ctx", leave=False, delay=1.0,
                    file=progress_stream())

    return make


def reports_crashed(files) -> bool:
    """Name each built-in report whose render raised (a bug: the exit code says so); True if
    any did. `files` is what `write_reports` returned."""
    failed = getattr(files, "failed", {})
    for name, why in failed.items():
        error(f"{name} could not be written: {why}")
    return bool(failed)


def report_failed_backends(results) -> bool:
    """Name every backend that failed (not one that was skipped); True if any did."""
    failed = results.failed_backends
    for rec in failed:
        error(f"backend {rec.name} {rec.status}: {rec.error}")
    return bool(failed)
