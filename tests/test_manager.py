"""Plugin discovery through entry points (without installing anything), broken plugins,
duplicate names, strict mode, autoload switch, `-b` specs, and the built-in plugins (commands
and report formats) beside a third party's."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import sys
import textwrap

import pytest

from harness.errors import BackendNotFound, OptionError, PluginError
from harness.plugins import BUILTIN_SOURCE, ENTRY_POINT_GROUP, LEGACY_GROUPS, hookimpl
from harness.plugins.manager import BUILTIN_PLUGINS, make_plugin_host
from harness.plugins.registry import parse_options
from harness.plugins.reports import ReportRegistration
from tests.helpers import BUILT_IN_REPORTS

PLUGIN_MODULE = """\
from harness.plugins import hookimpl
from harness.testing import FakeBackend

class {cls}(FakeBackend):
    plugin = "{plugin}"

@hookimpl
def harness_register_backends(register):
    register.add_plugin({cls})
    register.add_instance("{instance}", plugin="{plugin}", options={{"dim": 4}})
"""


class FakeDistribution(importlib.metadata.Distribution):
    """A distribution that exists only in memory: its metadata and entry points (the same ones
    in each of `groups`)."""

    def __init__(self, name: str, entry_points: dict[str, str],
                 groups: tuple[str, ...] = (ENTRY_POINT_GROUP,)):
        self._name = name
        self._entry_points = entry_points
        self._groups = groups

    def read_text(self, filename):
        if filename == "METADATA":
            return f"Metadata-Version: 2.1\nName: {self._name}\nVersion: 1.2.3\n"
        if filename == "entry_points.txt":
            lines = []
            for group in self._groups:
                lines += [f"[{group}]", *(f"{k} = {v}" for k, v in self._entry_points.items())]
            return "\n".join(lines) + "\n"
        return None

    def locate_file(self, path):  # pragma: no cover - not needed
        raise FileNotFoundError(path)


@pytest.fixture
def installed(monkeypatch, tmp_path):
    """Pretend distributions are installed: `installed(dist_name, {module: source})`, each
    module file becoming an entry point named after it, in the group `wic_harness` (or in
    `groups`)."""
    dists = []
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(importlib.metadata, "distributions", lambda **kw: iter(dists))

    created: list[str] = []

    def install(dist_name: str, modules: dict[str, str],
                groups: tuple[str, ...] = (ENTRY_POINT_GROUP,)) -> None:
        for module, source in modules.items():
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
            created.append(module)
        importlib.invalidate_caches()
        dists.append(FakeDistribution(dist_name, {m: m for m in modules}, groups))

    yield install
    for module in created:
        sys.modules.pop(module, None)


def plugin_source(cls="Mine", plugin="mine", instance="mine-small"):
    return PLUGIN_MODULE.format(cls=cls, plugin=plugin, instance=instance)


def test_entry_points_are_discovered_without_installing(installed):
    installed("harness-mine", {"mine_plugin": plugin_source()})
    registry = make_plugin_host(strict=True).registry()
    assert set(registry.plugins) == {"mine"}
    assert registry.instances["mine-small"].options == {"dim": 4}
    assert "harness-mine 1.2.3 (entry point mine_plugin = mine_plugin)" in (
        registry.plugins["mine"].source)
    backend = registry.create("mine-small")
    assert backend.options["dim"] == 4 and backend.plugin == "mine"


def test_the_group_is_neutral_and_its_old_name_is_still_read():
    assert ENTRY_POINT_GROUP == "wic_harness"
    assert LEGACY_GROUPS[ENTRY_POINT_GROUP] == "harness.backends"


def test_the_old_group_still_loads_with_a_warning_naming_the_distribution(installed):
    installed("harness-old", {"old_plugin": plugin_source()}, groups=("harness.backends",))
    installed("harness-new", {"new_plugin": plugin_source(cls="N", plugin="new",
                                                          instance="new-small")})
    with pytest.warns(DeprecationWarning) as caught:
        registry = make_plugin_host(strict=True).registry()
    assert set(registry.plugins) == {"mine", "new"}
    assert "harness-old 1.2.3 (entry point old_plugin" in registry.plugins["mine"].source
    [warning] = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert "harness-old 1.2.3" in warning and "'harness.backends'" in warning
    assert "in the group 'wic_harness'" in warning and "harness-new" not in warning


def test_a_distribution_in_both_groups_is_registered_once_without_a_warning(installed, recwarn):
    installed("harness-both", {"both_plugin": plugin_source()},
              groups=(ENTRY_POINT_GROUP, "harness.backends"))
    host = make_plugin_host(strict=True)  # registered twice, pluggy would refuse it
    assert set(host.registry().plugins) == {"mine"}
    assert [name for name in host.sources if name.startswith("harness-both")] == [
        "harness-both:both_plugin"]
    assert [w for w in recwarn if w.category is DeprecationWarning] == []


def test_an_entry_point_that_fails_says_plugin_whatever_it_registers(installed, caplog):
    installed("harness-reports", {"reports_plugin": "raise RuntimeError('boom')\n"})
    installed("harness-typo", {"typo_plugin": "from harness.plugins import hookimpl\n"
                               "@hookimpl\ndef harness_register_reports(registry): pass\n"})
    host = make_plugin_host()
    assert host.reports()[0].name == "results.json" and len(host.problems) == 2
    assert "plugin harness-reports 1.2.3 (entry point reports_plugin = reports_plugin) failed " \
           "to load: RuntimeError: boom" in caplog.text
    assert "plugin harness-typo 1.2.3 (entry point typo_plugin = typo_plugin) is invalid" in (
        caplog.text)
    assert "backend plugin" not in caplog.text


def test_a_plugin_that_fails_to_import_is_named_and_skipped(installed, caplog):
    installed("harness-good", {"good_plugin": plugin_source()})
    installed("harness-broken", {"broken_plugin": "import not_a_module_anywhere\n"})
    with caplog.at_level(logging.WARNING, logger="harness.plugins"):
        host = make_plugin_host()
        registry = host.registry()
    assert set(registry.plugins) == {"mine"}
    assert "harness-broken 1.2.3" in caplog.text
    assert "ModuleNotFoundError" in caplog.text and "HARNESS_STRICT_PLUGINS" in caplog.text
    assert len(host.problems) == 1


@pytest.mark.parametrize("via_env", [False, True])
def test_strict_mode_makes_a_broken_plugin_fatal(installed, monkeypatch, via_env):
    installed("harness-broken", {"broken_plugin": "raise RuntimeError('boom')\n"})
    if via_env:
        monkeypatch.setenv("HARNESS_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="harness-broken 1.2.3.*RuntimeError: boom"):
        make_plugin_host(strict=True if not via_env else None)


def test_a_plugin_whose_hook_raises_is_skipped_whole(installed, caplog):
    source = plugin_source().replace(
        'register.add_instance("mine-small", plugin="mine", options={"dim": 4})',
        'raise ValueError("half-way")')
    installed("harness-raises", {"raising_plugin": source})
    registry = make_plugin_host().registry()
    assert registry.plugins == {} and registry.instances == {}
    assert "raised in harness_register_backends: ValueError: half-way" in caplog.text


def test_duplicate_backend_names_are_an_error_naming_both(installed):
    installed("harness-one", {"one_plugin": plugin_source(cls="A", plugin="dup", instance="i1")})
    installed("harness-two", {"two_plugin": plugin_source(cls="B", plugin="dup", instance="i2")})
    with pytest.raises(PluginError) as info:
        make_plugin_host().registry()
    message = str(info.value)
    assert "backend plugin 'dup' is registered twice" in message
    assert "harness-one" in message and "harness-two" in message


def test_duplicate_instance_names_are_an_error(installed):
    installed("harness-one", {"one_plugin": plugin_source(cls="A", plugin="p1", instance="same")})
    installed("harness-two", {"two_plugin": plugin_source(cls="B", plugin="p2", instance="same")})
    with pytest.raises(PluginError, match="instance 'same' is registered twice"):
        make_plugin_host().registry()


def test_blocking_a_plugin_by_env(installed, monkeypatch):
    installed("harness-one", {"one_plugin": plugin_source(cls="A", plugin="dup", instance="i1")})
    installed("harness-two", {"two_plugin": plugin_source(cls="B", plugin="dup", instance="i2")})
    monkeypatch.setenv("HARNESS_BLOCK_PLUGINS", "harness-two")
    assert set(make_plugin_host().registry().instances) == {"i1"}


def test_autoload_can_be_disabled_by_env(installed, monkeypatch):
    installed("harness-mine", {"mine_plugin": plugin_source()})
    monkeypatch.setenv("HARNESS_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert make_plugin_host().registry().plugins == {}


def test_misspelled_hook_is_refused():
    class Misspelled:
        @hookimpl
        def harness_register_backend(self, register):  # missing the final "s"
            pass

    host = make_plugin_host(autoload=False)
    with pytest.raises(PluginError, match="unknown hook.*harness_register_backend"):
        host.register(Misspelled())


def test_instance_of_a_missing_plugin_is_dropped_with_a_warning(caplog):
    class Orphan:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_instance("orphan", plugin="nowhere")

    registry = make_plugin_host(autoload=False, plugins=(Orphan(),)).registry()
    assert "orphan" not in registry.instances
    assert "needs plugin 'nowhere'" in caplog.text


def test_hook_implementation_may_take_fewer_arguments():
    class NoArgs:
        called = False

        @hookimpl
        def harness_register_backends(self):
            NoArgs.called = True

    make_plugin_host(autoload=False, plugins=(NoArgs(),)).registry()
    assert NoArgs.called


# -- -b specs --------------------------------------------------------------------------------


def test_specs(registry):
    assert registry.create("fake").options["dim"] == 8
    backend = registry.create("fake:dim=3,missing=a,b")
    assert backend.options["dim"] == 3 and backend.options["missing"] == {"a", "b"}
    assert backend.name == "fake:dim=3,missing=a,b"


def test_unknown_backend_suggests(registry):
    with pytest.raises(BackendNotFound, match="unknown backend 'fak'. Did you mean 'fake'"):
        registry.create("fak")


def test_unknown_option_suggests(registry):
    with pytest.raises(OptionError, match="unknown option 'dimm' \\(did you mean 'dim'\\?\\)"):
        registry.create("fake:dimm=3")


def test_bad_option_value(registry):
    with pytest.raises(OptionError, match="option dim='three'"):
        registry.create("fake:dim=three")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("layers=-4,-3,-2,-1,layer_pool=sum", {"layers": "-4,-3,-2,-1", "layer_pool": "sum"}),
        ("model=/a/b=c", {"model": "/a/b=c"}),
        ("", {}),
    ],
)
def test_parse_options(text, expected):
    assert parse_options(text) == expected


@pytest.mark.parametrize("text", ["=3", "3", "a=1,a=2"])
def test_parse_options_errors(text):
    with pytest.raises(OptionError):
        parse_options(text, "x:" + text)


def test_a_hook_with_a_wrong_argument_name_is_skipped(installed, caplog):
    installed("harness-good", {"good_plugin": plugin_source()})
    installed("harness-typo", {"typo_plugin": plugin_source(cls="T", plugin="t", instance="t1")
                               .replace("(register)", "(registry)")})
    host = make_plugin_host()
    assert set(host.registry().plugins) == {"mine"}
    assert "harness-typo 1.2.3" in caplog.text and "registry" in caplog.text


def test_a_plugin_that_exits_at_import_is_skipped(installed, caplog):
    installed("harness-exits", {"exit_plugin": "import sys\nsys.exit('bye')\n"})
    make_plugin_host()
    assert "harness-exits 1.2.3" in caplog.text and "SystemExit: bye" in caplog.text


def test_an_instance_may_not_take_another_plugins_name(installed):
    installed("harness-one", {"one_plugin": plugin_source(cls="A", plugin="alpha", instance="i")})
    installed("harness-two", {"two_plugin": plugin_source(cls="B", plugin="beta",
                                                          instance="alpha")})
    with pytest.raises(PluginError, match="'alpha'.*ambiguous"):
        make_plugin_host().registry()


# -- built-in plugins, commands and report formats ---------------------------------------------

BUILT_IN_COMMANDS = ["run", "sweep", "geometry", "senses", "wic", "compare", "runs",
                     "leaderboard", "history", "validate", "list", "cache", "make-suite",
                     "make-reference", "completion"]


def report_plugin(*names):
    class Reports:
        @hookimpl
        def harness_register_reports(self, register):
            for name in names:
                register.add_report(name, lambda results: "")

    return Reports()


def command_plugin(*names):
    class Commands:
        @hookimpl
        def harness_register_commands(self, register):
            for name in names:
                register.add_command(name, help="", configure=lambda parser: None,
                                     run=lambda args: 0)

    return Commands()


def test_built_in_commands_and_reports_come_through_the_hooks():
    host = make_plugin_host(autoload=False)
    commands = host.commands()
    assert list(commands) == BUILT_IN_COMMANDS
    assert {c.source for c in commands.values()} == {BUILTIN_SOURCE}
    assert "(built in)" in BUILTIN_SOURCE
    assert [r.name for r in host.reports()] == BUILT_IN_REPORTS
    assert {r.source for r in host.reports()} == {BUILTIN_SOURCE}
    assert set(host.pm.get_plugins()) == {sys.modules[m] for m in BUILTIN_PLUGINS}
    registry = host.registry()  # built-in plugins add no backend
    assert registry.plugins == {} and registry.instances == {}


def test_built_in_plugins_cannot_be_blocked_or_turned_off(installed, monkeypatch):
    installed("harness-mine", {"mine_plugin": plugin_source()})
    monkeypatch.setenv("HARNESS_BLOCK_PLUGINS",
                       "harness.cli.builtin,harness.reports.builtin,wic-harness,harness-mine")
    host = make_plugin_host()
    assert "run" in host.commands() and host.reports()[0].name == "results.json"
    assert host.registry().plugins == {}  # the entry point is blocked, the built-ins are not


def test_plugin_reports_follow_the_built_in_ones_in_load_order(installed):
    module = textwrap.dedent("""\
        from harness.plugins import hookimpl

        @hookimpl
        def harness_register_reports(register):
            register.add_report("{name}", lambda results: None)
        """)
    installed("harness-b", {"b_plugin": module.format(name="b.txt")})
    installed("harness-a", {"a_plugin": module.format(name="a.txt")})
    host = make_plugin_host(strict=True, plugins=(report_plugin("c.txt"),))
    assert [r.name for r in host.reports()] == [*BUILT_IN_REPORTS, "b.txt", "a.txt", "c.txt"]
    assert "harness-b 1.2.3" in host.reports()[-3].source


def test_a_report_name_registered_twice_is_an_error_naming_both():
    host = make_plugin_host(autoload=False)
    host.register(report_plugin("same.txt"), source="harness-one 1.0")
    host.register(report_plugin("same.txt"), source="harness-two 2.0")
    with pytest.raises(PluginError, match="report 'same.txt' is registered twice: by "
                                          "harness-one 1.0 and by harness-two 2.0"):
        host.reports()
    clash = make_plugin_host(autoload=False)
    clash.register(report_plugin("report.md"), source="harness-clash 1.0")
    with pytest.raises(PluginError) as info:
        clash.reports()
    assert "harness-clash 1.0 adds a report 'report.md', which is built in" in str(info.value)
    assert BUILTIN_SOURCE in str(info.value)


@pytest.mark.parametrize("name", ["", "out/counts.txt", "..\\counts.txt", ".hidden", ".."])
def test_a_bad_report_file_name_is_refused(name, caplog):
    with pytest.raises(PluginError, match="bad report file name"):
        ReportRegistration(source="harness-bad").add_report(name, lambda results: "")
    with pytest.raises(PluginError, match="harness-bad.*bad report file name"):
        host = make_plugin_host(autoload=False, strict=True)
        host.register(report_plugin(name), source="harness-bad")
        host.reports()
    host = make_plugin_host(autoload=False)  # not strict: the plugin is skipped, with a warning
    host.register(report_plugin("fine.txt", name), source="harness-bad")
    assert [r.name for r in host.reports()] == BUILT_IN_REPORTS
    assert "harness-bad raised in harness_register_reports" in caplog.text


def test_a_command_name_registered_twice_is_an_error_naming_both():
    host = make_plugin_host(autoload=False)
    host.register(command_plugin("mine"), source="harness-one 1.0")
    host.register(command_plugin("mine"), source="harness-two 2.0")
    with pytest.raises(PluginError, match="command 'mine' is registered twice: by "
                                          "harness-one 1.0 and by harness-two 2.0"):
        host.commands()
    clash = make_plugin_host(autoload=False)
    clash.register(command_plugin("run"), source="harness-clash 1.0")
    with pytest.raises(PluginError, match="harness-clash 1.0 adds a command 'run', which is "
                                          "built in"):
        clash.commands()


def test_plugin_commands_follow_the_built_in_ones():
    host = make_plugin_host(autoload=False, plugins=(command_plugin("mine", "also-mine"),))
    assert list(host.commands()) == [*BUILT_IN_COMMANDS, "mine", "also-mine"]


# -- the one generic registry ------------------------------------------------------------------


def test_a_catalog_keeps_order_refuses_a_name_twice_and_suggests_a_known_name():
    from harness.plugins.catalog import Catalog
    from harness.plugins.reports import PluginReport

    def report(name, source):
        return PluginReport(name, lambda results: None, source)

    catalog = Catalog("report", [report("b.txt", "one 1.0"), report("a.txt", "one 1.0")])
    assert list(catalog) == ["b.txt", "a.txt"] and len(catalog) == 2
    assert catalog == {"b.txt": catalog["b.txt"], "a.txt": catalog["a.txt"]}
    with pytest.raises(PluginError, match=r"^one 1.0: report 'a.txt' is registered twice$"):
        catalog.add(report("a.txt", "one 1.0"))
    with pytest.raises(PluginError, match="report 'a.txt' is registered twice: by one 1.0 and "
                                          "by two 2.0. Uninstall one of them"):
        catalog.add(report("a.txt", "two 2.0"))
    with pytest.raises(PluginError, match="two 2.0 adds a report 'a.txt', which is built in"):
        Catalog("report", [report("a.txt", BUILTIN_SOURCE), report("a.txt", "two 2.0")])
    assert catalog.lookup("a.txt") is catalog["a.txt"]
    with pytest.raises(PluginError, match=r"unknown report 'a.tx'. Did you mean 'a.txt'\? "
                                          r"Known: b.txt, a.txt."):
        catalog.lookup("a.tx")
    assert catalog.remove("b.txt").name == "b.txt" and list(catalog) == ["a.txt"]


def test_a_catalog_files_a_thing_under_another_name_it_owns():
    from harness.plugins.catalog import Catalog
    from harness.plugins.reports import PluginReport

    one, two = (PluginReport(name, lambda results: None, f"{name} 1.0") for name in "ab")
    keys = Catalog("test key")
    keys.add(one, name="expect")
    keys.add(one, name="pairs")
    assert keys["pairs"] is one and list(keys) == ["expect", "pairs"]
    with pytest.raises(PluginError, match="test key 'pairs' is registered twice: by a 1.0 and "
                                          "by b 1.0"):
        keys.add(two, name="pairs")


def test_every_kind_is_merged_into_a_catalog():
    from harness.plugins.catalog import Catalog

    host = make_plugin_host(autoload=False, plugins=(command_plugin("mine"),))
    registry = host.registry()
    assert isinstance(host.commands(), Catalog) and host.commands().noun == "command"
    assert isinstance(registry.plugins, Catalog) and isinstance(registry.instances, Catalog)
    assert [r.name for r in host.collect("harness_register_reports", ReportRegistration)
            .values()] == BUILT_IN_REPORTS


def test_a_backend_name_registered_twice_by_one_plugin_names_it():
    class Twice:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_instance("same", plugin="p")
            register.add_instance("same", plugin="p")

    host = make_plugin_host(autoload=False, strict=True)
    host.register(Twice(), source="harness-twice 1.0")
    with pytest.raises(PluginError, match="harness-twice 1.0: instance 'same' is registered "
                                          "twice"):
        host.registry()
