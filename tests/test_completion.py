"""`harness completion bash|zsh|fish`: scripts made from the real parser, that their shells
accept and that complete commands, options, choices and backend instances."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

from harness.cli import _commands, build_parser, main
from harness.cli.builtin import NAMES
from harness.cli.completion import SHELLS, script
from harness.cli.parser_walk import walk
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def scripts() -> dict[str, str]:
    parser = help_parser()
    return {shell: script(shell, parser) for shell in SHELLS}


@pytest.mark.parametrize("shell", SHELLS)
def test_each_script_is_printed_and_names_every_built_in_command(shell, capsys):
    assert main(["completion", shell]) == 0
    text = capsys.readouterr().out
    first = "#compdef harness\n" if shell == "zsh" else ""  # zsh needs it on the first line
    assert text.startswith(f"{first}# {shell} completion for `harness`")
    for name in NAMES:
        assert f"harness/{name}" in text, name
    for option in ("--min-accuracy", "--limit", "--config", "--older-than", "--json"):
        assert (f"-l {option[2:]}" if shell == "fish" else option) in text, option


def help_parser():
    """What `harness --help` shows: the parser the completion scripts are made from."""
    return build_parser(_commands([]))


def test_the_walk_sees_sub_commands_options_and_choices():
    nodes = {node.path: node for node in walk(help_parser())}
    assert {"harness/cache/info", "harness/cache/clear", "harness/make-suite/wordnet"} <= \
        set(nodes)
    run = nodes["harness/run"]
    assert run.files and not run.commands
    [executor] = [o for o in run.options if "--executor" in o.flags]
    assert executor.choices == ["local", "ray"] and executor.value
    assert [o.flags for o in run.options if o.backend] == [["-b", "--backend"]]
    assert list(nodes["harness/completion"].commands) == ["bash", "zsh", "fish"]
    assert "--instances" not in str(nodes["harness/completion"].options)  # hidden


SHELL_CHECKS = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_accepts_the_script(shell, scripts, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"harness.{shell}"
    path.write_text(scripts[shell])
    done = subprocess.run([*SHELL_CHECKS[shell], str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


BASH_PROBE = """\
source {script}
harness() {{ printf 'alpha\\nbeta\\n'; }}  # stands for `harness completion --instances`
t() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); _harness;
      echo "${{COMP_WORDS[*]}} -> ${{COMPREPLY[*]}}"; }}
t harness ru
t harness cache ''
t harness run --exe
t harness run -k x --executor ''
t harness -v run -b a
t harness run suites/
t harness completion ''
"""


def test_bash_completes_commands_options_choices_and_instances(scripts, tmp_path):
    path = tmp_path / "harness.bash"
    path.write_text(scripts["bash"])
    done = subprocess.run(["bash", "-c", BASH_PROBE.format(script=path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "harness ru -> run runs",
        "harness cache  -> info clear",
        "harness run --exe -> --executor",
        "harness run -k x --executor  -> local ray",
        "harness -v run -b a -> alpha",
        "harness run suites/ -> ",  # bash's own file names
        "harness completion  -> bash zsh fish",
    ]


def test_fish_completes_commands_and_instances(scripts, tmp_path):
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    path = tmp_path / "harness.fish"
    path.write_text(scripts["fish"])
    probe = textwrap.dedent(f"""\
        source {path}
        function harness; printf 'alpha\\nbeta\\n'; end
        complete -C 'harness cache '
        complete -C 'harness run -b '
        """)
    done = subprocess.run(["fish", "-c", probe], capture_output=True, text=True, timeout=60)
    words = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert words == ["clear", "info", "alpha", "beta"], done.stdout + done.stderr


def test_instances_for_b_and_a_missing_shell(fake_only, capsys):
    assert main(["completion", "--instances"]) == 0
    assert capsys.readouterr().out.split() == ["fake"]
    assert main(["completion"]) == 2
    assert "name a shell" in capsys.readouterr().err


def test_making_a_script_imports_no_heavy_framework():
    probe = (
        "import sys\nfrom harness.cli import main\nmain(['completion', 'bash'])\n"
        "heavy = [m for m in ('torch', 'tensorflow', 'transformers', 'pandas') "
        "if m in sys.modules]\nprint('HEAVY', heavy, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert "HEAVY []" in done.stderr, done.stderr


ZSH_PROBE = """\
compdef() {{ }}
_describe() {{ local -a items; items=("${{(@P)4}}"); items=(${{items%%:*}})
               print -r -- "$items"; }}
compadd() {{ [[ $1 == -a ]] && set -- "${{(@P)2}}"; print -r -- "compadd $*"; }}
_files() {{ print -r -- files; }}
harness() {{ printf 'alpha\\nbeta\\n'; }}
source {script}
t() {{ words=("$@"); CURRENT=${{#words}}; _harness; }}
t harness cache ''
t harness run --executor ''
t harness run -b ''
t harness run ''
"""


def test_zsh_completes_commands_choices_instances_and_files(scripts, tmp_path):
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed")
    path = tmp_path / "_harness"
    path.write_text(scripts["zsh"])
    done = subprocess.run(["zsh", "-f", "-c", ZSH_PROBE.format(script=path)],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["info clear", "compadd -- local ray",
                                        "compadd alpha beta", "files"], done.stdout + done.stderr
