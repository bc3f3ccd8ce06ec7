"""Tests of a kind a plugin measures (registered through `harness_register_measures`): which
measure owns a test's keys, and the test read through it, with the same checks and messages
as a built-in kind's (the file, line, test and field of each problem, with the fix)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from harness.suites.fields import Checker
from harness.suites.model import Test
from harness.suites.yaml import key_line

BUILTIN_TEST_KEYS = ("id", "description", "contexts", "expect", "pairs", "scale")


def plugin_measures() -> list[Any]:
    """The measures plugins register, and the built-in ones on the generic path (wsd), from a
    new plugin host."""
    from harness.plugins import BUILTIN_SOURCE
    from harness.plugins.manager import make_plugin_host

    return [m.measure for m in make_plugin_host().measures()
            if m.source != BUILTIN_SOURCE or not m.measure.builtin]


class PluginKinds:
    """The plugin measures a suite reader knows, looked up on the first test with a key no
    built-in kind owns (a suite of built-in kinds costs no plugin host)."""

    def __init__(self, measures: list[Any] | None = None):
        self._measures = measures

    def owner(self, data: Mapping) -> Any | None:
        """The plugin measure that owns one of the test's keys, or None."""
        if all(key in BUILTIN_TEST_KEYS for key in data):
            return None
        if self._measures is None:
            self._measures = plugin_measures()
        return next((m for m in self._measures if any(k in data for k in m.keys)), None)


def plugin_test(checker: Checker, measure: Any, data: Mapping, test_id: str, where: str,
                line: int, description: str | None, contexts: dict | None) -> Test | None:
    """A test of `measure`'s kind: its contexts (`contexts`, read by the caller) and its part,
    parsed by the measure; None when a problem was found (each recorded on `checker`)."""
    before = len(checker.problems)
    checker.keys(data, ("id", "description", "contexts", *measure.keys), line, where)
    if checker.schema < measure.schema:
        key = next(k for k in measure.keys if k in data)
        checker.problem(key_line(data, key, line), where,
                        f"{key} (a test of kind {measure.kind}) needs schema: {measure.schema} "
                        "at the top of the suite")
        return None
    raw = data.get("contexts")
    declared = {str(k) for k in raw} if isinstance(raw, Mapping) else set()
    part = measure.parse(checker, data, where, line, contexts or {}, declared)
    if len(checker.problems) > before or contexts is None or part is None:
        return None
    test = Test(id=test_id, contexts=contexts, expect=(), description=description or "",
                kind=measure.kind, data=part)
    return replace(test, needs=tuple(measure.items(test)))
