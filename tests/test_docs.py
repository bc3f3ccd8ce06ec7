"""Documentation that must stay true: every hook documented with its signature, README commands
and CI agree, the CLI reference lists every command and option, the site's nav and pages agree,
and the figures' blocks are where benchmarks/figures.py looks for them."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

from harness.plugins import spec
from tests.helpers import ROOT


def hook_names():
    return sorted(n for n in dir(spec) if n.startswith("harness_") and callable(getattr(spec, n)))


def signature_line(name: str) -> str:
    """`def NAME(arg: Type, ...) -> Type`, as inspect renders the hook spec's signature (the
    annotations are strings under `from __future__ import annotations`)."""

    def shown(annotation) -> str:
        return annotation if isinstance(annotation, str) else getattr(
            annotation, "__name__", repr(annotation))

    signature = inspect.signature(getattr(spec, name))
    params = ", ".join(
        p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {shown(p.annotation)}"
        for p in signature.parameters.values())
    return f"def {name}({params}) -> {shown(signature.return_annotation)}"


def hook_section(text: str, name: str) -> str:
    """The guide's subsection for a hook: from its heading to the next heading."""
    found = re.search(rf"^(#+) {name}\n(.*?)(?=^#{{1,6}} |\Z)", text, re.MULTILINE | re.DOTALL)
    assert found, f"{name} has no section"
    return found.group(2)


def test_every_hook_is_documented_with_its_signature():
    text = (ROOT / "docs" / "writing-a-backend-plugin.md").read_text()
    assert hook_names(), "no hooks found"
    for name in hook_names():
        assert getattr(spec, name).__doc__, f"{name} has no docstring"
        line = signature_line(name)
        assert "register: " in line and line.endswith(" -> None"), line
        section = hook_section(text, name)
        assert re.search(rf"```python\n{re.escape(line)}(:.*)?\n```", section), (
            f"the guide's section {name} does not show `{line}` in a python block")


def readme_commands():
    """The README's two fenced set-up commands, by the comment above each."""
    text = (ROOT / "README.md").read_text()
    found = dict(re.findall(r"```bash\n# (main job|tests)\n(.+?)\n```", text))
    assert set(found) == {"main job", "tests"}, found
    return found


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_commands()["tests"] in ci


def test_readme_main_job_runs_the_polysemy_suite():
    assert "harness run suites/polysemy.yaml" in readme_commands()["main job"]


def ci_recipe() -> dict:
    import yaml

    return yaml.safe_load((ROOT / ".github" / "workflows" / "compare-models.yml").read_text())


def test_ci_recipe_is_valid_and_gates_on_a_committed_baseline():
    steps = ci_recipe()["jobs"]["compare"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "--baseline reports/baselines/polysemy.json" in commands
    assert (ROOT / "reports" / "baselines" / "polysemy.json").is_file()
    assert "GITHUB_STEP_SUMMARY" in commands
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
    assert "--baseline reports/baselines/polysemy.json" in (ROOT / ".ci" / "run").read_text()


def test_ci_recipe_installs_cpu_torch_and_follows_the_actions_conventions():
    recipe = ci_recipe()
    steps = recipe["jobs"]["compare"]["steps"]
    assert recipe["permissions"] == {"contents": "read"}
    assert "${{ github.ref }}" in recipe["concurrency"]["group"]
    assert recipe["concurrency"]["cancel-in-progress"] is True
    install = next(s["run"] for s in steps if s.get("name") == "Install").splitlines()
    torch = next(n for n, line in enumerate(install) if line.startswith("pip install torch=="))
    extras = next(n for n, line in enumerate(install) if "[default]" in line)
    assert "--index-url https://download.pytorch.org/whl/cpu" in install[torch] and torch < extras
    pyproject = (ROOT / "pyproject.toml").read_text()
    pin = install[torch].split()[2]
    assert f'"{pin}"' in pyproject  # the recipe installs the version the hf extra pins
    run = next(n for n, s in enumerate(steps) if "harness run" in s.get("run", ""))
    for step in steps[run + 1:]:
        condition = str(step.get("if", ""))
        assert "!cancelled()" in condition and "always()" not in condition, step
        assert "hashFiles('reports/ci/" in condition, step  # only when the run wrote them
    caches = [s for s in steps if s.get("uses", "").startswith("actions/cache")]
    assert {c["with"]["path"] for c in caches} == {".harness-cache", ".harness-store"}
    for cache in caches:
        assert cache["with"]["key"].endswith("${{ github.run_id }}")  # never changes once saved
        assert cache["with"]["restore-keys"].strip()
    for upload in [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]:
        assert "${{ github.run_id }}" in upload["with"]["name"]


def test_ci_recipe_keeps_the_store_and_publishes_the_leaderboard():
    recipe = ci_recipe()
    steps = recipe["jobs"]["compare"]["steps"]
    env = recipe["jobs"]["compare"]["env"]
    assert env["HARNESS_STORE"].startswith("${{ github.workspace }}/.harness-store/")
    [store] = [s for s in steps if s.get("with", {}).get("path") == ".harness-store"]
    assert "${{ github.head_ref || github.ref_name }}" in store["with"]["key"]  # per branch
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "harness leaderboard -o reports/ci/leaderboard" in commands
    assert "${{" not in commands.split("harness run", 1)[1]  # no expression in a script
    uploads = [s["with"]["path"] for s in steps
               if s.get("uses", "").startswith("actions/upload-artifact")]
    assert "reports/ci/leaderboard" in uploads


def cli_reference():
    """docs/cli_reference.py, the script that writes the CLI reference page."""
    import importlib.util

    path = ROOT / "docs" / "cli_reference.py"
    spec = importlib.util.spec_from_file_location("cli_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def help_options(argv: list[str], capsys) -> list[str]:
    """The option strings `harness ARGV --help` lists, read from its output."""
    from harness.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    listed = []
    for line in capsys.readouterr().out.splitlines():
        found = re.match(r"^  (-.*?)(?:\s{2,}|$)", line)
        if found:
            listed += [part.split()[0] for part in found.group(1).split(", ")]
    return listed


def test_every_command_and_option_is_in_the_cli_reference(capsys):
    """Each command wic-harness ships (the built-in ones, and those its built-in backends
    declare), its sub-commands and every option `--help` lists, on docs/cli.md."""
    from harness.cli.builtin import NAMES

    page = (ROOT / "docs" / "cli.md").read_text()
    _, parsers = cli_reference().command_parsers()
    assert set(NAMES) | {"export-tf-checkpoint"} <= set(parsers)
    commands = []
    for name, parser in parsers.items():
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        commands += [[name, child] for a in nested for child in a.choices] or [[name]]
    for argv in commands:
        heading = f"harness {' '.join(argv)}"
        found = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", page,
                          re.MULTILINE | re.DOTALL)
        assert found, f"docs/cli.md has no section `{heading}`"
        options = help_options(argv, capsys)
        assert "--help" in options
        for option in set(options) - {"-h", "--help"}:
            assert f"`{option}`" in found.group(1), f"`{heading} {option}` is not in docs/cli.md"


def test_the_cli_reference_is_current():
    expected = cli_reference().render()
    assert (ROOT / "docs" / "cli.md").read_text() == expected, (
        "docs/cli.md is not what the parsers say: run `python docs/cli_reference.py`")


def test_the_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines (at most 250): move some to docs"


def test_the_readmes_links_lead_somewhere():
    """Relative links and pictures of the README name files of the checkout (GitHub renders
    them; `mkdocs build --strict` checks the pages' own links)."""
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert any(t.startswith("docs/") for t in targets)
    for target in targets:
        if "://" in target or target.startswith("#"):
            continue
        assert (ROOT / target.split("#")[0]).exists(), f"README.md links to missing {target}"


def nav_pages() -> list[str]:
    import yaml

    def walk(entry) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, list):
            return [page for item in entry for page in walk(item)]
        return [page for value in entry.values() for page in walk(value)]

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert config["docs_dir"] == "docs" and config["theme"]["name"] == "material"
    return walk(config["nav"])


def test_every_page_of_the_nav_exists_and_every_page_is_in_it():
    listed = nav_pages()
    assert len(listed) == len(set(listed)), "a page is twice in mkdocs.yml's nav"
    for page in listed:
        assert (ROOT / "docs" / page).is_file(), f"mkdocs.yml's nav names a missing {page}"
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert pages - set(listed) == set(), "pages not in mkdocs.yml's nav"
    for page in ("architecture.md", "writing-a-backend-plugin.md", "cli.md", "api.md"):
        assert page in listed


def test_the_api_reference_documents_the_public_names():
    """Each name of the `harness` package, and `harness.plugin_api`, on the API reference page
    (mkdocstrings directives; `mkdocs build --strict` checks that each resolves)."""
    import harness

    page = (ROOT / "docs" / "api.md").read_text()
    documented = re.findall(r"^::: ([\w.]+)$", page, re.MULTILINE)
    assert "harness.plugin_api" in documented
    plugin_api = set(__import__("harness.plugin_api").plugin_api.__dict__)
    for name in harness.__all__:
        if name == "__version__" or name in plugin_api:
            continue  # the backend names are harness.plugin_api's
        assert any(d.rsplit(".", 1)[-1] == name for d in documented), f"harness.{name}"


def figures():
    from benchmarks import figures

    return figures


def test_every_figure_has_a_block_on_a_page():
    module = figures()
    names = [n for page in module.pages(ROOT) for n in module.blocks_in(page)]
    assert set(names) == set(module.FIGURES), "figures without a block, or blocks no figure makes"
    assert module.blocks_in(ROOT / "README.md") == ["polysemy-run"]


def test_figures_rewrite_every_copy_of_a_block_and_nothing_else(tmp_path):
    module = figures()
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("intro\n<!-- figure:run -->\nold\n<!-- /figure:run -->\n")
    (tmp_path / "docs" / "a.md").write_text(
        "# A\n<!-- figure:run -->\nold\n<!-- /figure:run -->\n<!-- figure:other -->\nkept\n"
        "<!-- /figure:other -->\nend\n")
    (tmp_path / "docs" / "b.md").write_text("# B, no figure\n")
    found = module.rewrite(tmp_path, {"run": "new\n"})
    assert {p.name: names for p, names in found.items()} == {"README.md": ["run"],
                                                            "a.md": ["run", "other"]}
    assert (tmp_path / "README.md").read_text() == (
        "intro\n<!-- figure:run -->\nnew\n<!-- /figure:run -->\n")
    assert (tmp_path / "docs" / "a.md").read_text() == (
        "# A\n<!-- figure:run -->\nnew\n<!-- /figure:run -->\n<!-- figure:other -->\nkept\n"
        "<!-- /figure:other -->\nend\n")
    before = (tmp_path / "README.md").read_text()
    with pytest.raises(SystemExit, match="no page has a block for missing"):
        module.rewrite(tmp_path, {"run": "newer\n", "missing": "x\n"})
    assert (tmp_path / "README.md").read_text() == before  # nothing written
