"""Text and number fields of a suite file: the control characters no field may hold, and a
number that is not finite; and `Checker`, what checks them. Used by `harness.suites.validate`,
`harness.suites.graded` and the measures.

Every value of a suite ends up as text in reports (markdown, HTML, CSV, XML) and terminals,
where a control character (Unicode category Cc: BEL, ESC, the C1 controls, NUL) can recolour
or clear a terminal, forge a link (OSC 8) or hide text. A description or a text may hold a tab
or a newline (YAML's block scalars write them); nothing else may hold any."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from harness.suites.model import LabelledContext

LAYOUT = frozenset("\t\n")  # allowed in a description or a text


class Checker(Protocol):
    """What checks a part of a suite file: harness.suites.validate.Checker, which collects
    every problem (with its file and line) rather than stopping at the first. Declared here so
    that the parsers of a test's parts (graded pairs, a plugin's measure) need not import the
    reader that calls them."""

    path: str
    schema: int
    problems: list[str]

    def problem(self, line: int, where: str, message: str) -> None: ...

    def keys(self, data: Mapping, allowed: tuple[str, ...], line: int, where: str) -> None: ...

    def context(self, label: str, data: Any, where: str, line: int
                ) -> LabelledContext | None: ...

    def text_field(self, data: Mapping, key: str, where: str, required: bool = False,
                   layout: bool = False) -> str | None: ...


def control_character(value: str, layout: bool = False) -> tuple[int, str] | None:
    """The position and character of the first control character of `value`, else None;
    with `layout`, a tab or a newline is not one."""
    for position, char in enumerate(value):
        if unicodedata.category(char) == "Cc" and not (layout and char in LAYOUT):
            return position, char
    return None


def control_problem(value: str, layout: bool = False) -> str | None:
    """Why `value` cannot be used (it holds a control character), with the fix; else None."""
    found = control_character(value, layout)
    if found is None:
        return None
    position, char = found
    allowed = ("; a tab or a newline is fine here" if layout
               else "; a name, id, label or word is one line of visible text")
    return (f"holds the control character {char!r} (character {position + 1}), which can "
            "recolour a terminal or hide text in a report: delete it (in double quotes, YAML "
            f"writes one for an escape like \"\\x1b\"){allowed}")


def refuse_controls(checker: Checker, value: str, line: int, where: str,
                    layout: bool = False) -> bool:
    """Report a control character in `value` as a problem; True when there was one."""
    problem = control_problem(value, layout)
    if problem is not None:
        checker.problem(line, where, problem)
    return problem is not None


def not_finite(value: Any) -> bool:
    """Whether YAML read `value` as a number that is not finite: .nan, .inf, -.inf, or one too
    large for a float, like 1.0e400 (text like "1e400" too: YAML 1.1 reads it as text)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    return isinstance(value, float) and not math.isfinite(value)


def suite_datasets(checker: Any, data: Mapping) -> tuple[str, ...]:
    """A suite's optional `datasets:` (schema 3): the data sets it was built from, so that a
    backend whose model card lists one is marked as not zero-shot on it; () when absent or
    wrong (a problem reported with its line)."""
    from harness.suites.yaml import key_line

    value = data.get("datasets")
    if value is None:
        return ()
    line = key_line(data, "datasets")
    if checker.schema < 3:
        checker.problem(line, "field 'datasets'", "needs schema: 3 at the top of the file")
    elif not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                for v in value):
        checker.problem(line, "field 'datasets'", "must be a list of data set names, like "
                        "datasets: [WiC]")
    else:
        return tuple(value)
    return ()
