"""Writing suites (schema 1) as readable YAML: one line per context, strings JSON-quoted
(a JSON string is a valid YAML double-quoted scalar)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def dump_suite(name: str, description: str, tests: Sequence[Mapping[str, Any]],
               header: str = "", schema: int = 1) -> str:
    """`tests`: mappings with id, optional description, contexts (label -> {text, and word
    with occurrence, or span}) and expect (strings)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"schema: {schema}"] if schema != 1 else []
    lines += [f"suite: {_q(name)}", f"description: {_q(description)}", "tests:"]
    for test in tests:
        lines.append(f"  - id: {_q(test['id'])}")
        if test.get("description"):
            lines.append(f"    description: {_q(test['description'])}")
        lines.append("    contexts:")
        for label, ctx in test["contexts"].items():
            fields = [f"text: {_q(ctx['text'])}"]
            if ctx.get("word") is not None:
                fields.append(f"word: {_q(ctx['word'])}")
            if ctx.get("occurrence") is not None:
                fields.append(f"occurrence: {int(ctx['occurrence'])}")
            if ctx.get("span") is not None:
                fields.append(f"span: [{int(ctx['span'][0])}, {int(ctx['span'][1])}]")
            lines.append(f"      {label}: {{{', '.join(fields)}}}")
        lines.append("    expect:")
        lines += [f"      - {_q(e)}" for e in test["expect"]]
    return "\n".join(lines) + "\n"
