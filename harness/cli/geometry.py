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
    common.add_shared_options(parser, NAME, "the rows, the exit code and the files written")


def run(args: argparse.Namespace) -> int:
    from harness.api import get_backends
    from harness.reports.studies.geometry import geometry_json, geometry_text, write_geometry

    config.apply(args)
    registry = common.registry(args)
    backends = get_backends(common.backend_specs(args), registry)
    with common.output_folder(args, "geometry") as claim:  # before the embedding work
        context = common.run_context(args, registry, claim.path)
        rows, failed = _measure(context, backends)
        written = write_geometry(rows, claim.path) if rows else []
    if not rows:
        return common.study_json(args, common.EXIT_USAGE, claim.path, [], rows=[])
    print(geometry_text(rows))
    print(f"\nwritten: {claim.path}/ ({', '.join(path.name for path in written)})")
    code = common.EXIT_USAGE if common.fell_back(claim) or failed else common.EXIT_OK
    return common.study_json(args, code, claim.path, written, rows=geometry_json(rows))


def _measure(context, backends) -> tuple[list, list[str]]:
    """Every backend's rows, and the names of those that failed; on Ctrl-C, the finished
    backends are written (into the context's output folder) before it goes on."""
    from harness.reports.studies.geometry import write_geometry
    from harness.studies.layer_geometry import measure_each

    out_dir = context.output
    rows, failed = [], []
    try:
        for backend, measured in measure_each(backends, context):
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
