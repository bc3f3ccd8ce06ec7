"""What `harness run` and `harness wic` share to record a finished run in the results store
(harness/results/store.py): the options --store, --no-store and --label KEY=VALUE, and the
recording itself, done after the report folder is complete: a store that cannot be written is
an error naming it (exit 2), the reports kept."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

from harness.cli import common
from harness.errors import HarnessError

_LABEL = re.compile(r"^([A-Za-z0-9_.-]+)=(.+)$")
GIT_TIMEOUT_S = 5


def _label(text: str) -> tuple[str, str]:
    found = _LABEL.match(text.strip())
    if not found:
        raise argparse.ArgumentTypeError(
            f"{text!r}: write KEY=VALUE, the key of letters, digits, '_', '.' or '-' "
            "(like --label branch=main)")
    return found.group(1), found.group(2)


def add_store_options(parser: argparse.ArgumentParser, recording: bool = True) -> None:
    """--store PATH; with `recording`, --no-store and --label KEY=VALUE too."""
    parser.add_argument("--store", metavar="PATH",
                        help="the results store (default: $HARNESS_STORE, else `store` in "
                        "harness.toml, else the user's data folder: "
                        "~/.local/share/wic-harness/store.sqlite)")
    if recording:
        parser.add_argument("--no-store", action="store_true",
                            help="do not record this run in the results store")
        parser.add_argument("--label", action="append", default=[], type=_label,
                            metavar="KEY=VALUE", help="a label the stored run carries (`runs "
                            "list --label`, `--baseline store:KEY=VALUE`); repeatable")


def store_location(args: argparse.Namespace) -> Path:
    """--store, else $HARNESS_STORE, else `store` of the config, else the default."""
    from harness.results.store import store_path

    return store_path(getattr(args, "store", None), getattr(args, "config_store", None))


def labels(args: argparse.Namespace) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in getattr(args, "label", []):
        if key in found and found[key] != value:
            raise HarnessError(f"--label {key}: given twice ({found[key]!r}, {value!r})")
        found[key] = value
    return found


def git_commit(folder: Path | None = None) -> str | None:
    """The commit checked out in `folder` (the current one), `-dirty` when files changed; None
    outside a repository or without git."""
    def git(*words: str) -> str | None:
        try:
            done = subprocess.run(["git", *words], cwd=folder, capture_output=True, text=True,
                                  timeout=GIT_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}-dirty" if changed else commit


def command_line(args: argparse.Namespace) -> str:
    argv = getattr(args, "argv", None)
    return shlex.join(["harness", *(sys.argv[1:] if argv is None else argv)])


def record(args: argparse.Namespace, results, study=None) -> int:
    """Record the finished run (its reports already written) unless --no-store; returns
    EXIT_OK, or EXIT_USAGE (the store named on stderr) when the store cannot be written."""
    from harness.results.store import Store, new_info

    if getattr(args, "no_store", False):
        return common.EXIT_OK
    path = store_location(args)
    try:
        info = new_info(results, command=command_line(args), commit=git_commit(),
                        labels=labels(args))
        with Store(path) as store:
            run_id = store.record(results, info, study=study)
    except HarnessError as exc:
        common.error(f"the run was not recorded: {exc} (the reports are kept)")
        return common.EXIT_USAGE
    args.stored = {"store": str(path), "run": run_id}  # for --json
    if not common.quiet(args):
        print(f"stored: run {run_id[:12]} in {path}")
    return common.EXIT_OK


def check(args: argparse.Namespace) -> None:
    """Before the run: the labels read, and the store is not in the cache folder."""
    from harness.results.store import Store

    labels(args)
    if not getattr(args, "no_store", False):
        Store(store_location(args))
