"""Commands declared in the entry-point group `wic_harness.commands` (or, for one release more,
`harness.commands`): listed by `harness --help` without importing their plugin, imported when
run; a clash or a malformed declaration is a clear error."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import textwrap

import pytest

from harness.cli import main
from harness.plugins import COMMAND_GROUP, ENTRY_POINT_GROUP, LEGACY_GROUPS
from harness.plugins.declared import declared_command, problems
from harness.plugins.manager import make_plugin_host
from tests.helpers import POLYSEMY, ROOT

HEAVY = ("harness_backends.tf", "harness_backends.hf", "harness_backends.static", "numpy",
         "tensorflow", "torch")


def modules_after(*argv: str) -> tuple[str, list[str]]:
    """`harness ARGV` in a fresh interpreter: what it printed, and which of HEAVY it imported."""
    probe = textwrap.dedent(f"""\
        import sys
        from harness.cli import main
        try:
            main({list(argv)!r})
        except SystemExit:
            pass
        print("IMPORTED", [m for m in {HEAVY!r} if m in sys.modules])
        """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    out, _, imported = done.stdout.rpartition("IMPORTED ")
    return out, eval(imported)  # a list literal printed by the probe


def test_help_lists_the_declared_tf_command_importing_no_plugin():
    out, imported = modules_after("--help")
    assert "export-tf-checkpoint" in out
    assert "write a transformers BERT model as a Google-format TF checkpoint" in " ".join(
        out.split())
    assert imported == []


def test_the_declared_command_is_imported_when_parsed():
    out, imported = modules_after("export-tf-checkpoint", "--help")
    assert "usage: harness export-tf-checkpoint [-h] [-v] [-q] MODEL OUT" in out
    assert "Google's original release" in " ".join(out.split())
    assert "harness_backends.tf" in imported and "tensorflow" not in imported


def test_the_tf_plugin_declares_its_command_and_registers_none_through_the_hook():
    host = make_plugin_host()
    [declared] = [c for c in host.commands().values() if c.declared]
    assert declared.name == "export-tf-checkpoint"
    assert "entry point export-tf-checkpoint = harness_backends.tf_commands:" in declared.source
    from harness_backends import tf

    assert not hasattr(tf, "harness_register_commands")


# -- third parties' declarations -------------------------------------------------------------


class Distribution(importlib.metadata.Distribution):
    """An installed distribution that exists only in memory: entry points in several groups."""

    def __init__(self, name: str, groups: dict[str, dict[str, str]]):
        self._name, self._groups = name, groups

    def read_text(self, filename):
        if filename == "METADATA":
            return f"Metadata-Version: 2.1\nName: {self._name}\nVersion: 1.0\n"
        if filename == "entry_points.txt":
            return "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
                           for group, eps in self._groups.items())
        return None

    def locate_file(self, path):  # pragma: no cover - not needed
        raise FileNotFoundError(path)


DECLARATIONS = '''\
HELLO = {"help": "say hello (100% polite)", "description": "Says hello.",
         "configure": "hello_impl:configure", "run": "hello_impl:run"}
BARE = {"help": "no arguments", "run": "hello_impl:bare"}
RUN = {"help": "mine", "run": "hello_impl:run"}
NOT_A_DICT = ["help", "run"]
NO_RUN = {"help": "nothing to run"}
TYPO = {"hlep": "x", "run": "hello_impl:run"}
BAD_REFERENCE = {"help": "x", "run": "hello_impl.run"}
MISSING = {"help": "its module is gone", "run": "no_such_module_anywhere:run"}
EXPLODES = {"help": "a configure with a bug", "configure": "hello_impl:explode",
            "run": "hello_impl:run"}
'''

IMPLEMENTATION = '''\
def configure(parser):
    parser.add_argument("--name", default="world")


def run(args):
    print(f"hello {args.name}")
    return 3


def bare(args):
    print("bare")
    return 0


def explode(parser):
    raise ValueError("no such option")
'''


@pytest.fixture
def declare(monkeypatch, tmp_path):
    """declare(dist, {command: "ATTR of hello_decl"}): a distribution declaring commands."""
    (tmp_path / "hello_decl.py").write_text(DECLARATIONS)
    (tmp_path / "hello_impl.py").write_text(IMPLEMENTATION)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    dists: list[Distribution] = []
    monkeypatch.setattr(importlib.metadata, "distributions", lambda **kw: iter(dists))
    monkeypatch.delenv("HARNESS_DISABLE_PLUGIN_AUTOLOAD", raising=False)

    def add(dist: str, commands: dict[str, str], backends: dict[str, str] | None = None,
            groups: tuple[str, ...] = (COMMAND_GROUP,)):
        declared = {name: f"hello_decl:{attr}" for name, attr in commands.items()}
        dists.append(Distribution(dist, {**{group: declared for group in groups},
                                         ENTRY_POINT_GROUP: backends or {}}))

    yield add
    for module in ("hello_decl", "hello_impl"):
        sys.modules.pop(module, None)


def test_a_declared_command_is_listed_without_import_and_imported_to_run(declare, capsys):
    declare("harness-hello", {"hello": "HELLO", "bare": "BARE"})
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "say hello (100% polite)" in out and "%%" not in out and "no arguments" in out
    assert "hello_decl" in sys.modules and "hello_impl" not in sys.modules
    assert main(["hello", "--name", "you"]) == 3
    assert capsys.readouterr().out == "hello you\n"
    assert main(["bare", "-q"]) == 0 and capsys.readouterr().out == ""
    with pytest.raises(SystemExit):
        main(["hello", "--help"])
    assert "Says hello." in capsys.readouterr().out


def test_declared_commands_are_listed_as_a_plugins(declare, capsys):
    declare("harness-hello", {"hello": "HELLO"})
    assert main(["list"]) == 0
    listed = capsys.readouterr().out.split("Commands from plugins")[1]
    assert "hello" in listed and "harness-hello 1.0 (entry point hello = hello_decl:HELLO)" in (
        " ".join(listed.split()))


def test_the_old_command_group_is_still_read_with_a_warning(declare, capsys):
    assert (COMMAND_GROUP, LEGACY_GROUPS[COMMAND_GROUP]) == ("wic_harness.commands",
                                                             "harness.commands")
    declare("harness-old", {"hello": "HELLO"}, groups=("harness.commands",))
    with pytest.warns(DeprecationWarning, match="harness-old 1.0 names its entry points in the "
                                                "group 'harness.commands'.*'wic_harness.comm"):
        assert main(["hello", "--name", "old"]) == 3
    assert capsys.readouterr().out == "hello old\n"


def test_a_command_declared_in_both_groups_is_read_once(declare, capsys, recwarn):
    declare("harness-both", {"hello": "HELLO"}, groups=(COMMAND_GROUP, "harness.commands"))
    assert [c.name for c in make_plugin_host().commands().values() if c.declared] == ["hello"]
    assert main(["hello"]) == 3 and capsys.readouterr().out == "hello world\n"
    assert [w for w in recwarn if w.category is DeprecationWarning] == []


def test_a_declared_command_named_like_a_built_in_one_is_an_error_naming_both(declare, capsys):
    declare("harness-clash", {"run": "RUN"})
    assert main(["--help"]) == 2
    err = capsys.readouterr().err
    assert "harness-clash 1.0 (entry point run = hello_decl:RUN) adds a command 'run', which " \
           "is built in (wic-harness" in " ".join(err.split())
    assert main(["validate", str(POLYSEMY)]) == 0  # a built-in command reads no declaration


def test_a_command_declared_twice_is_an_error_naming_both(declare, capsys):
    declare("harness-one", {"hello": "HELLO"})
    declare("harness-two", {"hello": "BARE"})
    assert main(["hello"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "command 'hello' is registered twice: by harness-one 1.0" in err
    assert "and by harness-two 1.0" in err


@pytest.mark.parametrize(("attr", "why"), [
    ("NOT_A_DICT", "the declaration is a list, not a dict of help, description, configure, run"),
    ("NO_RUN", "no 'run'"),
    ("TYPO", "unknown key 'hlep'; no 'help'"),
    ("BAD_REFERENCE", "'run' is 'hello_impl.run', not 'module:function'"),
    ("NOT_THERE", "AttributeError"),
])
def test_a_malformed_declaration_is_a_clear_error(declare, capsys, attr, why):
    declare("harness-bad", {"broken": attr, "hello": "HELLO"})
    with pytest.raises(SystemExit) as info:
        main(["--help"])  # the others still listed; this one named in a warning
    assert info.value.code == 0
    captured = capsys.readouterr()
    assert "hello" in captured.out and "broken" not in captured.out
    assert "broken" in captured.err and why in captured.err
    assert main(["broken"]) == 2  # asked for: an error that says what is wrong
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("harness: error: ") and why in err and "'broken'" in err
    assert "harness-bad 1.0 (entry point broken = hello_decl:" in err
    assert main(["--strict-plugins", "--help"]) == 2  # strict: any broken one is fatal
    assert why in capsys.readouterr().err


def test_a_declared_command_whose_module_is_gone_exits_2(declare, capsys):
    declare("harness-gone", {"gone": "MISSING"})
    assert main(["gone"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "command 'gone' (harness-gone 1.0 (entry point gone = hello_decl:MISSING)) cannot " \
           "import no_such_module_anywhere:run: ModuleNotFoundError" in err


def test_a_declared_command_whose_configure_raises_exits_2(declare, capsys):
    declare("harness-boom", {"boom": "EXPLODES"})
    assert main(["boom"]) == 2
    assert "harness: error: `harness boom`: the command's configure raised ValueError: no such " \
           "option" in capsys.readouterr().err


def test_blocked_or_autoload_off_declarations_are_not_read(declare, monkeypatch, capsys):
    declare("harness-hello", {"hello": "HELLO"})
    assert "hello" in make_plugin_host().commands()
    monkeypatch.setenv("HARNESS_BLOCK_PLUGINS", "hello")
    assert "hello" not in make_plugin_host().commands()
    monkeypatch.setenv("HARNESS_BLOCK_PLUGINS", "harness-hello")
    assert "hello" not in make_plugin_host().commands()
    monkeypatch.delenv("HARNESS_BLOCK_PLUGINS")
    monkeypatch.setenv("HARNESS_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert "hello" not in make_plugin_host().commands()
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "say hello" not in capsys.readouterr().out


def test_help_and_a_declared_command_import_no_backend_plugin(declare, capsys):
    declare("harness-hello", {"hello": "HELLO"}, backends={"never": "no_such_plugin_module"})
    with pytest.raises(SystemExit) as info:
        main(["--strict-plugins", "--help"])  # strict: importing the backend would fail
    assert info.value.code == 0 and "say hello" in capsys.readouterr().out
    assert main(["--strict-plugins", "hello"]) == 3


def test_what_a_declaration_may_hold():
    assert problems("my-cmd", {"help": "h", "run": "a.b:c.d", "configure": "a:b",
                               "description": "d"}) == []
    assert problems("bad name", {"help": "h", "run": "a:b"}) == [
        "bad command name 'bad name' (letters, digits, -)"]
    assert problems("x", {"help": 3, "run": "a:b"}) == ["'help' is not a string but 3"]
    command = declared_command("x", {"help": "h", "run": "json:dumps"}, "me")
    assert command.declared and command.run([1]) == "[1]"  # imported on its first call
