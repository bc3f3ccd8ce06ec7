"""`harness.plugin_api` is the one module a backend author imports: the built-in backends, the
plugins and examples in this repository (their tests and scripts may also use `harness`, the
users' surface, and the conformance kit `harness.testing`) and the plugin guide use it alone; it
re-exports the objects of their home modules; it stays light; the old module paths (deprecated
in 0.3) are gone."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import harness
import harness.plugin_api as api
from tests.helpers import ROOT

# Every Python file shipped outside the core: the built-in backends, the plugins, the examples.
SHIPPED = sorted([*(ROOT / "backends").rglob("*.py"), *(ROOT / "plugins").rglob("*.py"),
                  *(ROOT / "examples").rglob("*.py")])
# A plugin's own tests, and the scripts and notebooks for users, may also use the users' surface
# and the conformance kit (it and the fake backend import pytest, so they stay out of
# plugin_api); the plugins' code imports `harness.plugin_api` alone.
TESTING_KIT = ("harness.testing",)
NOTEBOOKS = sorted((ROOT / "examples").rglob("*.ipynb"))
GUIDE = ROOT / "docs" / "writing-a-backend-plugin.md"


def is_plugin_code(path) -> bool:
    """A module of a plugin (not its tests, not a script beside the examples)."""
    relative = path.relative_to(ROOT)
    return "tests" not in relative.parts and relative.parent != Path("examples")


PLUGIN_SOURCES = [path for path in SHIPPED if is_plugin_code(path)]
OTHER_SOURCES = [path for path in SHIPPED if not is_plugin_code(path)]

HOMES = {
    "harness.backend.base": ["AVAILABLE", "Availability", "Backend", "Embeddings", "Item"],
    "harness.backend.capabilities": ["NeedsResources", "SharesForward", "Sweepable"],
    "harness.backend.card": ["ModelCard"],
    "harness.backend.options": ["Option", "non_negative_int", "parse_bool", "parse_int_list",
                                "positive_int"],
    "harness.backend.transformer": ["TRANSFORMER_OPTIONS", "LoadedModel", "TransformerBackend"],
    "harness.backend.alignment": ["TokenizerSpec"],
    "harness.backend.packaged": ["PackagedData", "installed_version", "installed_versions"],
    "harness.backend.digests": ["path_digest"],
    "harness.files": ["atomic_write", "build_once", "cache_dir"],
    "harness.plugins": ["hookimpl"],
    "harness.plugins.manager": ["make_plugin_host"],
    "harness.plugins.registry": ["Registration"],
    "harness.plugins.commands": ["CommandRegistration"],
    "harness.plugins.reports": ["ReportRegistration"],
    "harness.results.model": ["Results"],
    "harness.errors": ["BackendUnavailable", "HarnessError", "OptionError", "PluginError",
                       "did_you_mean"],
    "harness.suites.words": ["locate_word"],
    "harness.measures.base": ["Measure", "MeasureSummary"],
    "harness.plugins.measures": ["MeasureRegistration"],
    "harness.measures.vectors": ["TestVectors"],
    "harness.suites.yaml": ["key_line"],
}

# The module paths of 0.2, deprecated in 0.3 and removed in 0.4.
REMOVED = ["harness.transformer", "harness.alignment", "harness.digests", "harness.packaged",
           "harness_backends.contextual"]


def harness_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import of a `harness...` module, anywhere in the tree."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, m) for line, m in found if m.split(".")[0] == "harness"]


def test_the_sources_are_found():
    plugin_code = {p.relative_to(ROOT).as_posix() for p in PLUGIN_SOURCES}
    assert {"backends/hf.py", "backends/static.py", "backends/tf.py",
            "plugins/wic-harness-onnx/wic_harness_onnx/plugin.py",
            "examples/letters-plugin/letters_backend/plugin.py"} <= plugin_code
    others = {p.relative_to(ROOT).as_posix() for p in OTHER_SOURCES}
    assert {"plugins/wic-harness-onnx/tests/test_onnx_backend.py",
            "examples/letters-plugin/tests/test_letters.py", "examples/make_notebook.py"} <= others
    assert NOTEBOOKS


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_backends_and_plugins_import_only_plugin_api(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = [f"line {line}: {module}" for line, module in harness_imports(tree)
             if module != "harness.plugin_api"]
    assert wrong == []


@pytest.mark.parametrize("path", OTHER_SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_plugin_tests_and_examples_import_only_the_public_surfaces(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = [f"line {line}: {module}" for line, module in harness_imports(tree)
             if module not in ("harness", "harness.plugin_api")
             and not module.startswith(TESTING_KIT)]
    assert wrong == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_notebooks_use_only_the_users_surface(path):
    cells = ["".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))
             ["cells"] if cell["cell_type"] == "code"]
    code = "\n".join(cells)
    imported = {module for cell in cells for _, module in block_imports(cell)}
    assert imported == {"harness"}
    used = set(re.findall(r"\bharness\.(\w+)", code))
    assert used and used <= set(harness.__all__), used - set(harness.__all__)


def test_all_lists_unique_names_that_exist():
    assert len(api.__all__) == len(set(api.__all__))
    assert [name for name in api.__all__ if not hasattr(api, name)] == []
    public = {n for n in vars(api) if not n.startswith("_")}
    assert public | {"Results"} == set(api.__all__)  # Results is imported on first use


def test_every_name_is_the_object_of_its_home_module():
    homed = [name for names in HOMES.values() for name in names]
    assert sorted(homed) == sorted(api.__all__)
    for home, names in HOMES.items():
        module = importlib.import_module(home)
        for name in names:
            assert getattr(api, name) is getattr(module, name), f"{name} from {home}"


@pytest.mark.parametrize("name", ["Backend", "TransformerBackend", "Item", "Embeddings",
                                  "Option", "Availability"])
def test_the_top_level_names_are_the_plugin_api_objects(name):
    assert getattr(harness, name) is getattr(api, name)


def test_importing_plugin_api_imports_no_framework():
    probe = ("import sys, harness.plugin_api\n"
             "print('HEAVY', [m for m in ('torch', 'tensorflow', 'transformers') "
             "if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("module", REMOVED)
def test_the_old_module_paths_are_gone(module):
    sys.modules.pop(module, None)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(module)


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.+?)```", text, re.DOTALL)


def block_imports(block: str) -> list[tuple[int, str]]:
    """The harness imports of a code block; a block that is not a whole program (a hook's
    signature alone, say) is read line by line."""
    try:
        return harness_imports(ast.parse(block))
    except SyntaxError:
        found = []
        for line, text in enumerate(block.splitlines(), 1):
            if match := re.match(r"\s*from\s+([\w.]+)\s+import\b", text):
                found.append((line, match[1]))
            elif match := re.match(r"\s*import\s+([\w., ]+)", text):
                found.extend((line, m.split(" as ")[0].strip()) for m in match[1].split(","))
        return [(line, m) for line, m in found if m.split(".")[0] == "harness"]


def test_the_guide_examples_import_only_from_plugin_api():
    blocks = python_blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 3
    wrong = []
    for block in blocks:
        for line, module in block_imports(block):
            if module != "harness.plugin_api" and not module.startswith(TESTING_KIT):
                wrong.append(f"{module} ({block.splitlines()[line - 1].strip()})")
    assert wrong == []


def test_block_imports_reads_a_block_that_does_not_parse():
    block = "def hook(register: R) -> None\nfrom harness.errors import X\nimport harness.files"
    assert block_imports(block) == [(2, "harness.errors"), (3, "harness.files")]


def test_the_guide_lists_what_plugin_api_exports():
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("### The plugin API")[1].split("\n## ")[0]
    assert [name for name in api.__all__ if not re.search(f"`{name}[`(]", section)] == []


def test_the_capability_protocols_recognise_the_transformer_base_class():
    class Tiny(api.TransformerBackend):
        plugin = "tiny"

        def load_model(self):  # pragma: no cover - never loaded here
            raise NotImplementedError

        def forward(self, input_ids, attention_mask):  # pragma: no cover
            raise NotImplementedError

    tiny = Tiny("t")
    assert isinstance(tiny, api.SharesForward) and isinstance(tiny, api.Sweepable)
    assert isinstance(tiny, api.NeedsResources)
