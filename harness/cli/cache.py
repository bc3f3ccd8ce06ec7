"""`harness cache info|clear`: the embedding cache."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "cache"
HELP = "the embedding cache: info or clear"
DESCRIPTION = ("The embedding cache lives in $HARNESS_CACHE_DIR, else $XDG_CACHE_HOME/wic-harness, "
               "else ~/.cache/wic-harness.")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("info", "clear"))


def run(args: argparse.Namespace) -> int:
    from harness.pipeline.embedding_cache import EmbeddingCache

    cache = EmbeddingCache()
    if args.action == "clear":
        removed = cache.clear()
        print(f"removed {cache.path}, which could not be read as a cache" if removed is None
              else f"removed {removed} entries from {cache.path}")
        return common.EXIT_OK
    info = cache.info()
    if info.problem:
        print(f"embedding cache: {info.path}\n{info.bytes / 1e6:.1f} MB on disk that cannot be "
              f"read: {info.problem}")
        return common.EXIT_OK
    print(f"embedding cache: {info.path}\n{info.entries} entries, "
          f"{info.bytes / 1e6:.1f} MB on disk, {len(info.backends)} backend fingerprints")
    for fingerprint, count in info.backends[:20]:
        print(f"  {fingerprint}  {count} entries")
    return common.EXIT_OK
