"""Documentation that must stay true: every hook documented with its signature, README commands
and CI agree."""

from __future__ import annotations

import inspect
import re

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
    [cache] = [s for s in steps if s.get("uses", "").startswith("actions/cache")]
    assert cache["with"]["key"].endswith("${{ github.run_id }}")  # keys never change once saved
    assert cache["with"]["restore-keys"].strip()
    [upload] = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert "${{ github.run_id }}" in upload["with"]["name"]


def test_every_command_is_in_the_readme():
    from harness.cli import build_parser
    from harness.plugins.manager import make_plugin_host

    readme = (ROOT / "README.md").read_text()
    commands = build_parser(make_plugin_host().commands().values())._subparsers._group_actions[
        0].choices
    for name in commands:
        assert f"harness {name}" in readme, f"`harness {name}` is not in the README"
