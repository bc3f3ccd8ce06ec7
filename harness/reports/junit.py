"""junit.xml: one testsuite per backend and suite, one testcase per expectation and one per
graded test. A failure carries the similarities (or the correlation below --min-spearman), an
unscored expectation or a graded test without a correlation is an error, a backend that could
not run is one error (or a skip, when it was skipped)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from harness.reports.tables import number, with_interval
from harness.results.model import Results
from harness.results.rows import CorrelationResult

# what XML 1.0 cannot hold: control characters, surrogates, U+FFFE and U+FFFF (the complement of
# its Char production, written as the small class it is: it compiles in microseconds)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (control characters, say)."""
    return _NOT_XML.sub("\ufffd", text)


def graded_case(suite: ET.Element, c: CorrelationResult, minimum: float | None) -> str:
    """A graded test's testcase: "pass", "failure" (below the minimum) or "error" (no rho)."""
    case = ET.SubElement(suite, "testcase", classname=xml_text(f"{c.backend}.{c.suite}.{c.test}"),
                         name=xml_text(f"graded: {c.test}"))
    detail = (f"spearman={with_interval(c.spearman, c.spearman_ci)} "
              f"pearson={with_interval(c.pearson, c.pearson_ci)} pairs={c.pairs} "
              f"scored={c.scored}")
    if c.spearman is None:
        ET.SubElement(case, "error", message=xml_text(f"no correlation: {c.error}"))
        return "error"
    if minimum is not None and c.spearman < minimum:
        failure = ET.SubElement(case, "failure", message=f"Spearman's rho {c.spearman:.3f} is "
                                f"below the minimum {minimum:g}")
        failure.text = detail
        return "failure"
    ET.SubElement(case, "system-out").text = detail
    return "pass"


def measure_case(suite: ET.Element, results: Results, kind: str, row) -> str:
    """A plugin kind's row as a testcase: "pass", "failure" or "error" (unscored), by the
    measure's own rule."""
    measure = results.measures[kind]
    case = ET.SubElement(suite, "testcase", classname=xml_text(
        f"{row.backend}.{row.suite}.{row.test}"), name=xml_text(measure.case_name(row)))
    detail = xml_text(" ".join(f"{h}={c}" for h, c in zip(measure.columns, measure.cells(row))))
    outcome = measure.outcome(row)
    if outcome == "unscored":
        ET.SubElement(case, "error", message=xml_text(f"unscored: {row.error}"))
        return "error"
    if outcome == "fail":
        ET.SubElement(case, "failure", message=xml_text(f"{kind}: {detail}")).text = detail
        return "failure"
    ET.SubElement(case, "system-out").text = detail
    return "pass"


def render(results: Results) -> str:
    root = ET.Element("testsuites", name="wic-harness")
    minimum = (results.gates.thresholds.get("min_spearman") if results.gates else None)
    for summary in results.summary_rows:
        mine = [r for r in results.rows
                if r.backend == summary.backend and r.suite == summary.suite]
        graded = [c for c in results.correlation_rows
                  if c.backend == summary.backend and c.suite == summary.suite]
        failures = sum(1 for r in mine if not r.passed and r.error is None)
        skipped = int(summary.status == "skipped")
        errors = sum(1 for r in mine if r.error is not None) + (
            summary.status not in ("ok", "skipped"))
        suite = ET.SubElement(root, "testsuite", name=xml_text(f"{summary.backend} / "
                                                                f"{summary.suite}"),
                              tests=str(len(mine) + len(graded) + (summary.status != "ok")),
                              failures=str(failures), errors=str(errors), skipped=str(skipped))
        if summary.status != "ok":
            case = ET.SubElement(suite, "testcase", classname=xml_text(summary.backend),
                                 name="backend")
            ET.SubElement(case, "skipped" if skipped else "error",
                          message=xml_text(f"{summary.status}: {summary.error}"))
        for r in mine:
            case = ET.SubElement(suite, "testcase", classname=xml_text(
                f"{r.backend}.{r.suite}.{r.test}"), name=xml_text(r.expectation))
            detail = (f"sim_closer={number(r.sim_closer, 6)} "
                      f"sim_farther={number(r.sim_farther, 6)} margin={number(r.margin, 6)} "
                      f"needed>{r.required_margin:g}"
                      + (f" margin_sd={number(r.margin_sd, 3)}" if r.margin_sd is not None
                         else "") + (" (weak)" if r.weak else ""))
            if r.error is not None:
                ET.SubElement(case, "error", message=xml_text("unscored: " + r.error))
            elif r.passed:
                ET.SubElement(case, "system-out").text = detail
            else:
                kind = "tie" if r.tie else "ordering does not hold"
                failure = ET.SubElement(case, "failure",
                                        message=f"{kind}: margin {number(r.margin)}")
                failure.text = detail
        outcomes = [graded_case(suite, c, minimum) for c in graded]
        outcomes += [measure_case(suite, results, kind, r) for kind, rows in
                     results.measure_rows.items() for r in rows
                     if (r.backend, r.suite) == (summary.backend, summary.suite)]
        if len(outcomes) > len(graded):
            suite.set("tests", str(int(suite.get("tests")) + len(outcomes) - len(graded)))
        suite.set("failures", str(failures + outcomes.count("failure")))
        suite.set("errors", str(errors + outcomes.count("error")))
    ET.indent(root, space="")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
