"""The files of `harness geometry`: geometry.csv, geometry.md and geometry.png (each measure
against layer), the table it prints, and the HTML table a notebook shows. `rows` are
`harness.studies.layer_geometry.GeometryRow`s, read by the names in COLUMNS."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.pipeline.reference import reference_rows
from harness.reports.studies import StudyFile, environment, write_files
from harness.reports.text import csv_cell, markdown_table, text_table

COLUMNS = ("backend", "layer", "anisotropy", "self_similarity", "intra_sentence_similarity",
           "mev", "self_similarity_adjusted", "intra_sentence_similarity_adjusted",
           "mev_adjusted", "rogue_top1", "rogue_top3", "rogue_top10", "rogue_dimension")
MEASURES = COLUMNS[2:]


def _number(value: Any, places: int) -> str:
    """A measure to `places` places; a dimension's index (an int) as it is."""
    return str(value) if isinstance(value, int) else f"{value:.{places}f}"


def cells(row: Any) -> list[str]:
    """A row's cells under COLUMNS, each measure to 4 places."""
    return [row.backend, "" if row.layer is None else str(row.layer),
            *(_number(getattr(row, name), 4) for name in MEASURES)]


def geometry_csv(rows: Sequence[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row.backend), "" if row.layer is None else row.layer,
                         *(_number(getattr(row, name), 6) for name in MEASURES)])
    return buffer.getvalue()


def geometry_markdown(rows: Sequence[Any]) -> str:
    items = len(reference_rows())
    md = ["# Geometry of the vectors, per layer", "",
          f"On the reference sample ({items} words in context from WordNet 3.0's gloss "
          "examples). anisotropy: the mean cosine of two different words; self_similarity: "
          "of one word in different sentences; intra_sentence_similarity: of a word and its "
          "sentence's mean; mev: the share of a word's variance its first principal component "
          "explains. *_adjusted: less the same measure of unrelated words (Ethayarajh 2019). "
          "rogue_top1/3/10: the share of the anisotropy (the expected cosine of unrelated "
          "words) that its 1, 3 and 10 largest dimensions carry, each dimension's "
          "contribution E[u_i v_i / (|u| |v|)] (Timkey and van Schijndel 2021); "
          "rogue_dimension: the index of the largest.",
          "", markdown_table(COLUMNS, [cells(r) for r in rows]), ""]
    return "\n".join(md)


def geometry_png(rows: Sequence[Any]) -> bytes:
    """Each measure against layer, one line per backend, as a PNG picture (needs matplotlib)."""
    from harness.figures.plots import geometry_plot

    return geometry_plot([{name: getattr(row, name) for name in COLUMNS} for row in rows])


def write_geometry(rows: Sequence[Any], out_dir: str | Path) -> list[Path]:
    """geometry.csv, geometry.md and geometry.png (left out without matplotlib, with a
    warning) in `out_dir`."""
    return write_files(out_dir, [
        StudyFile("geometry.csv", lambda: geometry_csv(rows)),
        StudyFile("geometry.md", lambda: geometry_markdown(rows)),
        StudyFile("geometry.png", lambda: geometry_png(rows),
                  "geometry.png needs matplotlib: pip install 'wic-harness[geometry]'")])


def geometry_text(rows: Sequence[Any]) -> str:
    """The table `harness geometry` prints."""
    return text_table(COLUMNS, [cells(r) for r in rows])


def geometry_html(rows: Sequence[Any]) -> str:
    """The rows as an HTML table (a notebook's view of them), every cell escaped."""
    return environment().get_template("geometry.html").render(
        columns=COLUMNS, rows=[cells(r) for r in rows])


def geometry_json(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows as `harness geometry --json` prints them."""
    return [{name: getattr(row, name) for name in COLUMNS} for row in rows]


__all__ = ["COLUMNS", "geometry_csv", "geometry_html", "geometry_json", "geometry_markdown",
           "geometry_png", "geometry_text", "write_geometry"]
