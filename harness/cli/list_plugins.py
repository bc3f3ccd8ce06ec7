"""`harness list`: plugins, backend instances and plugin commands, and whether each can run."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "list"


def add_parser(sub) -> None:
    lst = sub.add_parser(NAME, help="plugins and backend instances, and whether each can run")
    lst.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from harness.plugins.manager import make_plugin_host
    from harness.reports.text import text_table

    host = make_plugin_host(strict=True if args.strict_plugins else None)
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
    commands = host.commands()
    if commands:
        print("\nCommands from plugins\n" + text_table(
            ["command", "help", "from"], [[c.name, c.help, c.source] for c in commands.values()]))
    if host.problems:
        print("\nPlugins skipped\n" + "\n".join(f"- {p}" for p in host.problems))
    return common.EXIT_OK
