"""The layout's claims, checked from the code's own imports (docs/architecture.md states them):
no import cycle, no module over 400 lines (over 250 in harness/cli/), at most 12 modules directly
in harness/, the core's layers importing only downwards, and every module the architecture page
names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

HARNESS = ROOT / "harness"
MAX_LINES = 400
MAX_CLI_LINES = 250  # a command is a thin layer over the API
MAX_TOP_MODULES = 12


def module_files() -> dict[str, Path]:
    """Every module of the harness package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(HARNESS.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = module_files()


def imported(path: Path, typing: bool = False) -> set[str]:
    """The harness modules a file imports, anywhere in it (lazy imports inside functions
    included; those under `if TYPE_CHECKING:` only with `typing`). `from harness.x import y`
    names the submodule harness.x.y when there is one, else harness.x."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = set() if typing else {
        id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
        and "TYPE_CHECKING" in ast.unparse(block.test) for node in ast.walk(block)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == "harness":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "harness")
    return {m for m in out if m in MODULES}


GRAPH = {name: imported(path) - {name} for name, path in MODULES.items()}
# what a reader walks: the imports under `if TYPE_CHECKING:` too
READER_GRAPH = {name: imported(path, typing=True) - {name} for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle():
    assert cycles(READER_GRAPH) == []


def test_type_checking_imports_count_for_cycles():
    assert "harness.suites.model" in READER_GRAPH["harness.suites.fields"]
    assert "harness.suites.model" not in GRAPH["harness.suites.fields"]


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_cli_module_is_over_250_lines():
    long = {name: n for name, path in MODULES.items() if name.startswith("harness.cli")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_CLI_LINES}
    assert long == {}


def test_few_modules_directly_in_harness():
    top = sorted(p.name for p in HARNESS.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


# Each package of the core, and what it may import: a layer imports only layers below it
# (docs/architecture.md draws them in this order).
LAYERS = {
    "harness.errors": set(),
    "harness.files": {"harness.errors"},
    "harness.config": {"harness.errors"},
    "harness.backend": {"harness.errors", "harness.files"},
    "harness.plugins": {"harness.errors", "harness.backend"},
    "harness.suites": {"harness.errors", "harness.files", "harness.backend", "harness.plugins"},
    "harness.results": {"harness.errors", "harness.files", "harness.backend", "harness.plugins",
                        "harness.suites"},
    "harness.measures": {"harness.errors", "harness.backend", "harness.plugins",
                         "harness.suites", "harness.results"},
    "harness.pipeline": {"harness.errors", "harness.files", "harness.backend", "harness.suites",
                         "harness.plugins", "harness.results", "harness.measures"},
    "harness.figures": {"harness.measures", "harness.pipeline"},
    "harness.reports": {"harness.errors", "harness.files", "harness.results", "harness.measures",
                        "harness.pipeline", "harness.figures", "harness.plugins",
                        "harness.suites", "harness.backend"},
    "harness.studies": {"harness.errors", "harness.files", "harness.backend", "harness.suites",
                        "harness.results", "harness.measures", "harness.pipeline",
                        "harness.figures", "harness.reports"},
    # other libraries' objects (a SentenceTransformer in memory, its trainer's evaluator)
    "harness.integrations": {"harness.errors", "harness.backend", "harness.suites",
                             "harness.results", "harness.measures", "harness.pipeline"},
}


def layer_of(module: str) -> str | None:
    return next((layer for layer in LAYERS if module == layer
                 or module.startswith(layer + ".")), None)


@pytest.mark.parametrize("layer", list(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(layer):
    wrong = {f"{name} -> {other}" for name, targets in GRAPH.items()
             if layer_of(name) == layer for other in targets
             if layer_of(other) not in (layer, *LAYERS[layer])
             and other not in ("harness", "harness._version")}
    assert wrong == set()


# The embedding layer: a study reaches it only through the preparation step
# (harness/pipeline/prepare.py) or the runner.
EMBEDDING_LAYER = {f"harness.pipeline.{m}" for m in ("embedding", "embedding_cache", "boundary",
                                                      "executors")}


def test_no_study_calls_the_embedding_layer_past_the_preparation_step():
    studies = [name for name in GRAPH if name.startswith("harness.studies.")]
    assert len(studies) >= 4
    wrong = {f"{name} -> {other}" for name in studies for other in GRAPH[name]
             if other in EMBEDDING_LAYER}
    assert wrong == set()


def test_the_study_check_finds_an_import_of_the_embedding_layer(tmp_path):
    study = tmp_path / "study.py"
    study.write_text("from harness.pipeline.boundary import calling\n"
                     "def f():\n    from harness.pipeline.embedding import take\n")
    assert imported(study) & EMBEDDING_LAYER == {"harness.pipeline.boundary",
                                                 "harness.pipeline.embedding"}


def test_the_architecture_page_names_only_modules_that_exist():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"harness/[\w/]+\.py", text))
    assert len(named) > 20  # the page does name them
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_the_architecture_page_shows_every_stage_of_the_pipeline():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    stages = sorted(p.name for p in (HARNESS / "pipeline").glob("*.py") if p.stem != "__init__")
    assert [s for s in stages if f"harness/pipeline/{s}" not in text] == []
