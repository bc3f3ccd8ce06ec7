"""`harness list`: plugins, backend instances, the commands and reports plugins add, whether
each backend can run, and the suites known by name; as tables, or as JSON (--json)."""

from __future__ import annotations

import argparse

from harness.cli import common

NAME = "list"
HELP = "plugins, backend instances and whether each can run, and the suites known by name"
DESCRIPTION = ""


def configure(parser: argparse.ArgumentParser) -> None:
    common.add_json_option(parser, "the listing")


def run(args: argparse.Namespace) -> int:
    listing = gather(common.plugin_host(args))
    if getattr(args, "as_json", False):
        common.print_json(listing)
    else:
        print(_listing_text(listing))
    return common.EXIT_OK


def gather(host) -> dict:
    """Everything `harness list` shows, as plain data."""
    from harness.plugins import BUILTIN_SOURCE
    from harness.suites.named import named_suites

    registry = host.registry()
    return {
        "plugins": [{"name": p.name, "description": p.cls.description, "source": p.source}
                    for p in sorted(registry.plugins.values(), key=lambda p: p.name)],
        "instances": [instance(registry, name) for name in sorted(registry.instances)],
        "commands": [{"name": c.name, "help": c.help, "source": c.source,
                      "declared": c.declared}
                     for c in host.commands().values() if c.source != BUILTIN_SOURCE],
        "reports": [{"name": r.name, "description": r.description, "source": r.source}
                    for r in host.reports() if r.source != BUILTIN_SOURCE],
        **({"measures": measures} if (measures := [
            {"kind": m.name, "keys": list(m.measure.keys), "title": m.measure.title,
             "source": m.source} for m in host.measures() if m.source != BUILTIN_SOURCE])
           else {}),
        "suites": [{"name": s.name, "source": s.source,
                    "path": None if s.path is None else str(s.path)} for s in named_suites()],
        "skipped": list(host.problems),
    }


def instance(registry, name: str) -> dict:
    """An instance, and whether it can run here (a plugin's bug is its status, never a
    crash of the listing)."""
    inst = registry.instances[name]
    try:
        availability = registry.create(name).availability()
        available, status = availability.ok, availability.explain()
    except Exception as exc:
        available, status = False, f"error: {type(exc).__name__}: {exc}"
    return {"name": name, "plugin": inst.plugin, "default": inst.default,
            "available": available, "status": status, "options": dict(inst.options),
            "description": inst.description, "source": inst.source}


def _listing_text(listing: dict) -> str:
    """The listing as the tables `harness list` prints."""
    from harness.reports.text import text_table

    parts = [
        "Plugins\n" + text_table(["plugin", "description", "from"], [
            [p["name"], p["description"], p["source"]] for p in listing["plugins"]]),
        "Backend instances\n" + text_table(
            ["instance", "plugin", "default", "status", "options"],
            [[i["name"], i["plugin"], "yes" if i["default"] else "no", i["status"],
              ",".join(f"{k}={v}" for k, v in i["options"].items())]
             for i in listing["instances"]]),
    ]
    if listing["commands"]:
        parts.append("Commands from plugins\n" + text_table(["command", "help", "from"], [
            [c["name"], c["help"], c["source"]] for c in listing["commands"]]))
    if listing["reports"]:
        parts.append("Reports from plugins\n" + text_table(["file", "description", "from"], [
            [r["name"], r["description"], r["source"]] for r in listing["reports"]]))
    if listing.get("measures"):
        parts.append("Kinds of test from plugins\n" + text_table(["kind", "test keys", "from"], [
            [m["kind"], ", ".join(m["keys"]), m["source"]] for m in listing["measures"]]))
    parts.append("Suites known by name\n" + text_table(
        ["suite", "from", "file"],
        [[s["name"], s["source"], s["path"] or "-"] for s in listing["suites"]]))
    if listing["skipped"]:
        parts.append("Plugins skipped\n" + "\n".join(f"- {p}" for p in listing["skipped"]))
    return "\n\n".join(parts)
