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
    assert len(pictures) == 3  # two sense maps and the geometry plot
