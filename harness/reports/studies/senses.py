"""The files of `harness senses`: senses.png (matplotlib), senses.html (the map as SVG, each
point's sentence on hover; from templates/senses.html) and senses.csv (sense, text, x, y).
`found` is a `harness.studies.sense_maps.SenseMap`, read by attribute."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from harness.reports.studies import StudyFile, environment, write_files
from harness.reports.text import csv_cell

TSNE_NOTE = ("t-SNE axes have no units: only which points lie near which others means "
             "something, not the distances along an axis.")


def legend(sense: Any, width: int = 60) -> str:
    """A sense's name and gloss, shortened to about `width` characters."""
    gloss = sense.gloss if len(sense.gloss) <= width else sense.gloss[: width - 1] + "…"
    return f"{sense.name}: {gloss}" if gloss else sense.name


def senses_csv(found: Any) -> str:
    """sense, text, x, y per point; a text cell that a spreadsheet would read as a formula
    begins with '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["sense", "text", "x", "y"])
    writer.writerows([csv_cell(s), csv_cell(t), f"{x:.6f}", f"{y:.6f}"]
                     for s, t, x, y in found.rows())
    return buffer.getvalue()


def axes_note(found: Any) -> str:
    """What the map's axes are, in a sentence ("" when nothing is known of them)."""
    if found.method == "tsne":
        return TSNE_NOTE
    if found.explained:
        return (f"The axes are the first two principal components of the unit vectors: "
                f"together they explain {sum(found.explained):.1%} of the variance.")
    return ""


def _picture(found: Any) -> str:
    """The map as SVG (harness.figures.svg escapes every text in it)."""
    from harness.figures.svg import scatter

    return scatter(found.points, found.sense_of, [legend(s) for s in found.senses],
                   [f"{found.senses[s].name}: {t}" for s, t in zip(found.sense_of,
                                                                  found.texts)],
                   found.title, size=520, axes=found.axes)


def _arguments(found: Any) -> dict[str, Any]:
    from markupsafe import Markup

    return {"found": found, "picture": Markup(_picture(found)), "axes": axes_note(found)}


def sense_page(found: Any) -> str:
    """A self-contained HTML page: the map as SVG, each point's sentence on hover (Jinja2)."""
    return environment().get_template("senses.html").render(**_arguments(found))


def sense_body(found: Any) -> str:
    """The map's title, note, SVG picture (axes labelled) and how to read it, as the page's
    body has them under an <h3> (a notebook's view of the map; Jinja2)."""
    template = environment().get_template("senses_map.html")
    return str(template.module.sense_map(heading="h3", **_arguments(found)))


def write_sense_map(found: Any, out_dir: str | Path) -> list[Path]:
    """senses.png (left out without matplotlib), senses.html (left out without Jinja2) and
    senses.csv in `out_dir`, each with a warning when it is left out."""
    return write_files(out_dir, [
        StudyFile("senses.png", found.png,
                  "senses.png needs matplotlib: pip install 'wic-harness[geometry]'"),
        StudyFile("senses.html", lambda: sense_page(found),
                  "senses.html needs Jinja2: pip install 'wic-harness[report]'"),
        StudyFile("senses.csv", lambda: senses_csv(found))])


def senses_json(found: Any) -> dict[str, Any]:
    """The map as `harness senses --json` prints it."""
    return {"backend": found.backend, "word": found.word, "method": found.method,
            "note": found.note, "axes": list(found.axes),
            "senses": [{"name": s.name, "gloss": s.gloss,
                        "contexts": sum(n == i for n in found.sense_of)}
                       for i, s in enumerate(found.senses)],
            "points": [{"sense": s, "text": t, "x": x, "y": y} for s, t, x, y in found.rows()]}


__all__ = ["TSNE_NOTE", "axes_note", "legend", "sense_body", "sense_page", "senses_csv",
           "senses_json", "write_sense_map"]
