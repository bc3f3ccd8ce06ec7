"""`harness cache info|clear`: the embedding cache, by fingerprint and backend."""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

from harness.cli import common
from harness.errors import HarnessError, did_you_mean

NAME = "cache"
HELP = "the embedding cache: info, or clear (all, or by backend, fingerprint or age)"
DESCRIPTION = ("The embedding cache lives in $HARNESS_CACHE_DIR, else $XDG_CACHE_HOME/wic-harness, "
               "else ~/.cache/wic-harness.")
_SHOWN = 50  # fingerprints `cache info` lists (--json lists all)


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = sub.add_parser("info", help="what the cache holds: entries, size and backends of each "
                          "fingerprint, and when it was last used")
    common.add_json_option(info, "what the cache holds")
    clear = sub.add_parser("clear", help="remove every entry, or those the options choose "
                           "(every option given must hold)")
    clear.add_argument("--backend", action="append", default=[], metavar="NAME",
                       help="the fingerprints a backend of this name used (see `harness cache "
                       "info`); repeat for several")
    clear.add_argument("--fingerprint", action="append", default=[], metavar="HEX",
                       help="a fingerprint, or the start of one; repeat for several")
    clear.add_argument("--older-than", type=float, metavar="DAYS",
                       help="the fingerprints not used for DAYS days (those of unknown use, "
                       "written before the harness kept the date, too)")


def run(args: argparse.Namespace) -> int:
    from harness.pipeline.embedding_cache import EmbeddingCache

    cache = EmbeddingCache()
    if args.action == "clear":
        return _clear(cache, args)
    info = cache.info()
    if args.as_json:
        common.print_json(_as_json(info))
        return common.EXIT_OK
    if info.problem:
        print(f"embedding cache: {info.path}\n{info.bytes / 1e6:.1f} MB on disk that cannot be "
              f"read: {info.problem}")
        return common.EXIT_OK
    print(f"embedding cache: {info.path}\n{info.entries} entries, "
          f"{info.bytes / 1e6:.1f} MB on disk, {len(info.fingerprints)} backend fingerprints")
    _print_fingerprints(info.fingerprints)
    return common.EXIT_OK


def _print_fingerprints(fingerprints) -> None:
    if not fingerprints:
        return
    from harness.reports.text import text_table

    rows = [[f.fingerprint, str(f.entries), f"{f.bytes / 1e6:.1f}", _date(f.last_used),
             _backends(f.backends)] for f in fingerprints[:_SHOWN]]
    print(text_table(["fingerprint", "entries", "MB", "last used", "backends"], rows))
    if len(fingerprints) > _SHOWN:
        print(f"... and {len(fingerprints) - _SHOWN} more (harness cache info --json lists all)")


def _backends(backends: list[dict]) -> str:
    """'glove-50d, static:vectors=x (static: vectors=x)': the names that share a plugin and
    options, then those; 'unknown' when none is recorded."""
    groups: dict[str, list[str]] = {}
    for backend in backends:
        options = ",".join(f"{k}={v}" for k, v in sorted(backend["options"].items()))
        where = f"{backend['plugin']}{': ' + options if options else ''}"
        groups.setdefault(where, []).append(backend["name"])
    return "; ".join(f"{', '.join(names)} ({where})" for where, names in groups.items()) or \
        "unknown"


def _date(when: float | None) -> str:
    return "unknown" if when is None else datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")


def _as_json(info) -> dict:
    def iso(when: float | None) -> str | None:
        return None if when is None else datetime.fromtimestamp(when, timezone.utc).isoformat()

    return {"path": str(info.path), "entries": info.entries, "bytes": info.bytes,
            "problem": info.problem or None,
            "fingerprints": [{"fingerprint": f.fingerprint, "entries": f.entries,
                              "bytes": f.bytes, "last_used": iso(f.last_used),
                              "backends": f.backends} for f in info.fingerprints]}


def _clear(cache, args: argparse.Namespace) -> int:
    if not (args.backend or args.fingerprint or args.older_than is not None):
        removed = cache.clear()
        print(f"removed {cache.path}, which could not be read as a cache" if removed is None
              else f"removed {removed} entries from {cache.path}")
        return common.EXIT_OK
    if args.older_than is not None and not args.older_than >= 0:
        raise HarnessError(f"--older-than {args.older_than:g}: give a number of days, 0 or more")
    info = cache.info()
    if info.problem:
        raise HarnessError(f"the embedding cache {info.path} cannot be read ({info.problem}); "
                           "`harness cache clear` alone removes it whole")
    chosen = chosen_fingerprints(info.fingerprints, args.backend, args.fingerprint,
                                 args.older_than)
    removed = cache.clear(chosen) if chosen else 0
    print(f"removed {removed} entries of {len(chosen)} fingerprint"
          f"{'s' * (len(chosen) != 1)} from {cache.path}")
    return common.EXIT_OK


def chosen_fingerprints(fingerprints, names: list[str], prefixes: list[str],
                        older_than: float | None, now: float | None = None) -> list[str]:
    """The fingerprints that every option given chooses: a backend recorded under one of
    `names`, starting with one of `prefixes`, not used for `older_than` days (or unknown). A
    name or prefix that chooses nothing is a HarnessError, with a 'did you mean'."""
    chosen = {f.fingerprint for f in fingerprints}
    if names:
        known = {b["name"] for f in fingerprints for b in f.backends}
        for name in names:
            if name not in known:
                raise HarnessError(f"--backend {name}: no fingerprint in the cache is recorded "
                                   f"under that name{did_you_mean(name, known)}; `harness cache "
                                   "info` lists them")
        chosen &= {f.fingerprint for f in fingerprints
                   if any(b["name"] in names for b in f.backends)}
    if prefixes:
        chosen &= _by_prefix(fingerprints, prefixes)
    if older_than is not None:
        cutoff = (time.time() if now is None else now) - older_than * 86400
        chosen &= {f.fingerprint for f in fingerprints
                   if f.last_used is None or f.last_used < cutoff}
    return sorted(chosen)


def _by_prefix(fingerprints, prefixes: list[str]) -> set[str]:
    every = [f.fingerprint for f in fingerprints]
    out = set()
    for prefix in prefixes:
        found = [fp for fp in every if fp.startswith(prefix.strip().lower())]
        if len(found) != 1 or not prefix.strip():
            why = "is in no fingerprint" if not found else "starts several fingerprints"
            hint = did_you_mean(prefix, every) if not found else ""
            raise HarnessError(f"--fingerprint {prefix}: {why} of the cache{hint}; `harness "
                               "cache info` lists them")
        out.add(found[0])
    return out
