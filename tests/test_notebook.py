"""The example notebook: its cells are those examples/make_notebook.py defines, and it runs
from start to end on the shipped models (nbclient, in examples/ as a reader would run it)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.real_model]


def maker():
    spec = importlib.util.spec_from_file_location("make_notebook",
                                                  ROOT / "examples" / "make_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_notebook_has_the_cells_the_maker_defines():
    import nbformat

    committed = nbformat.read(maker().NOTEBOOK, as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == maker().CELLS
    ran = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in ran), "commit the notebook executed, with outputs"
    assert not [o for c in ran for o in c.outputs if o.output_type == "error"]


def test_the_notebook_runs_from_start_to_end():
    module = maker()
    notebook = module.execute(module.build())  # raises CellExecutionError on any error
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     for o in outputs)
    assert "mouse1 - rat" in text and "baseline_sd" in text and "median_margin_sd" in text
    assert "minilm-tf:postprocess=standardize" in text
    assert "8 contexts of 2 senses" in text
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == 4  # two sense maps, the geometry table's plot and the plot itself
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<svg" in html  # the sense maps, shown by their rich display
    assert "<Results: 1 suite, 2 backends (2 ok), 8 expectations>" in text
    assert "mouse2: keyboard > rat" in text and "lean1: greasy > tilt" in text  # discussed
    assert "uncased_L-12_H-768_A-12.zip is not here" in text  # the checkpoint cell says how
    sources = "\n".join(c.source for c in notebook.cells)
    assert "harness.figures" not in sources and "harness.studies" not in sources
