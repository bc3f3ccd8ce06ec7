"""`harness geometry`: how contextual each backend's vectors are, per hidden layer."""

from __future__ import annotations

import argparse
import sys

from harness.cli import common, config

NAME = "geometry"
HELP = "anisotropy, self-similarity, intra-sentence similarity and MEV per layer"
DESCRIPTION = (
    "On the shipped reference sample (WordNet 3.0 gloss examples): for each backend, and for a "
    "model each hidden layer (0: embeddings), the anisotropy baseline and Ethayarajh's (2019) "
    "self-similarity, intra-sentence similarity and maximum explainable variance, each also "
    "adjusted for anisotropy. Every layer comes from one forward pass per text. Writes "
    "geometry.csv, geometry.md and geometry.png.")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-b", "--backend", action="append", required=True, metavar="BACKEND")
    common.add_output_options(parser, "geometry")
    common.add_executor_options(parser)
    config.add_options(parser, NAME, {"executor": "local"})


def run(args: argparse.Namespace) -> int:
    from harness.api import get_backends
    from harness.studies.layer_geometry import geometry_text, write_geometry

    config.apply(args)
    backends = get_backends(common.backend_specs(args), common.registry(args))
    with common.output_folder(args, "geometry") as claim:  # before the embedding work
        rows, failed = _measure(args, backends, claim.path)
        written = write_geometry(rows, claim.path) if rows else []
    if not rows:
        return common.EXIT_USAGE
    print(geometry_text(rows))
    print(f"\nwritten: {claim.path}/ ({', '.join(path.name for path in written)})")
    return common.EXIT_USAGE if common.fell_back(claim) or failed else common.EXIT_OK


def _measure(args: argparse.Namespace, backends, out_dir) -> tuple[list, list[str]]:
    """Every backend's rows, and the names of those that failed; on Ctrl-C, the finished
    backends are written before it goes on."""
    from harness.studies.layer_geometry import measure_each, write_geometry

    rows, failed = [], []
    try:
        for backend, measured in measure_each(backends, cache=common.cache(args),
                                              progress=common.progress_factory(True),
                                              executor=common.executor(args)):
            if isinstance(measured, Exception):
                failed.append(backend.name)
                common.error(f"backend {backend.name}: {measured}")
            else:
                rows.extend(measured)
    except KeyboardInterrupt:
        if rows:
            write_geometry(rows, out_dir)
            print(f"harness: the finished backends are written to {out_dir}/", file=sys.stderr)
        raise
    return rows, failed
