"""`harness list`: plugins, backend instances, and the commands and reports plugins add, and
whether each backend can run."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "list"
HELP = "plugins and backend instances, and whether each can run"
DESCRIPTION = ""


def configure(parser: argparse.ArgumentParser) -> None:
    """No arguments."""


def run(args: argparse.Namespace) -> int:
    from harness.plugins import BUILTIN_SOURCE
    from harness.reports.text import text_table

    host = common.plugin_host(args)
    registry = host.registry()
    plugin_rows = [[p.name, p.cls.description, p.source] for p in registry.plugins.values()]
    print("Plugins\n" + text_table(["plugin", "description", "from"], sorted(plugin_rows)))
    rows = []
    for name in sorted(registry.instances):
        inst = registry.instances[name]
        try:
            state = registry.create(name).availability().explain()
        except Exception as exc:  # a plugin's bug must not break the listing
            state = f"error: {type(exc).__name__}: {exc}"
        options = ",".join(f"{k}={v}" for k, v in inst.options.items())
        rows.append([name, inst.plugin, "yes" if inst.default else "no", state, options])
    print("\nBackend instances\n"
          + text_table(["instance", "plugin", "default", "status", "options"], rows))
    commands = [c for c in host.commands().values() if c.source != BUILTIN_SOURCE]
    if commands:
        print("\nCommands from plugins\n" + text_table(
            ["command", "help", "from"], [[c.name, c.help, c.source] for c in commands]))
    reports = [r for r in host.reports() if r.source != BUILTIN_SOURCE]
    if reports:
        print("\nReports from plugins\n" + text_table(
            ["file", "description", "from"], [[r.name, r.description, r.source] for r in reports]))
    if host.problems:
        print("\nPlugins skipped\n" + "\n".join(f"- {p}" for p in host.problems))
    return common.EXIT_OK
