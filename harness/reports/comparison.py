"""`harness compare`'s tables: each kind's comparisons on each suite (harness/results/
compare.py) as aligned text for the terminal and as markdown (`--markdown`), every cell through
`markdown_text`, then the verdicts (harness/measures/verdicts.py), Holm's correction named when
several comparisons were made. A single suite's tables stand as they did before."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.reports.text import markdown_table, markdown_text, text_table


def _normal(sections: Sequence[Any]) -> list[Any]:
    """Sections as harness/results/compare.py's `Section`s; a (measure, rows) pair, the form
    before 0.5, as one of no suite."""
    from types import SimpleNamespace

    return [SimpleNamespace(measure=s[0], suite="", rows=s[1]) if isinstance(s, tuple) else s
            for s in sections]


def _title(m: Any) -> str:
    return m.compare_title or m.title + " compared"


def _many_suites(sections: Sequence[Any]) -> bool:
    sections = _normal(sections)
    return len({s.suite for s in sections if s.rows}) > 1


def correction_note(verdicts: Sequence[Any]) -> str:
    if len(verdicts) > 1:
        return (f"Verdicts at 5%, p-values adjusted by Holm's correction over the "
                f"{len(verdicts)} comparisons made:")
    return "Verdict at 5% (one comparison, no correction):"


def comparison_text(sections: Sequence[Any], verdicts: Sequence[Any] = ()) -> str:
    """One table per kind and suite with comparisons, blank lines between; with several
    suites each under its suite's name; a plugin's kind under its title; then the verdicts."""
    sections = _normal(sections)
    many = _many_suites(sections)
    parts = []
    for s in sections:
        if not s.rows:
            continue
        head = f"{s.suite}: " if many else ""
        title = _title(s.measure) if (many or not s.measure.builtin) else ""
        parts.append((f"{head}{title}\n" if head or title else "")
                     + text_table(s.measure.compare_headers, [r.cells() for r in s.rows]))
    if verdicts:
        parts.append(correction_note(verdicts) + "\n" + "\n".join(
            f"  {v.sentence(len(verdicts) > 1)}" for v in verdicts))
    return "\n\n".join(parts)


def comparison_markdown(sections: Sequence[Any], verdicts: Sequence[Any] = ()) -> str:
    """One section per kind and suite with comparisons (a heading, the table, what its numbers
    are), then the verdicts as a list."""
    many = _many_suites(sections)
    sections = _normal(sections)
    out = "\n".join(f"## {markdown_text(_title(s.measure))}"
                    f"{(' on ' + markdown_text(s.suite)) if many else ''}\n\n"
                    + markdown_table(s.measure.compare_headers, [r.cells() for r in s.rows])
                    + f"\n\n{s.measure.compare_note}\n" for s in sections if s.rows)
    if verdicts:
        out += (f"\n## Verdicts\n\n{correction_note(verdicts)}\n\n"
                + "".join(f"- {markdown_text(v.sentence(len(verdicts) > 1))}\n"
                          for v in verdicts))
    return out
