"""junit.xml: one testsuite per backend and suite, one testcase per expectation, one per
graded test and one per row of a plugin's kind of test. A failure carries the similarities (or
the correlation below --min-spearman), an unscored expectation or a graded test without a
correlation is an error, a backend that could not run is one error (or a skip, when it was
skipped)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from harness.reports.tables import number, with_interval
from harness.results.model import Results
from harness.results.rows import CorrelationResult, ExpectationResult

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


def per_suite(results: Results, kind: str) -> bool:
    """Whether the kind's testcase is one per backend and suite (wsd: its F1) not per row."""
    return getattr(results.measures.get(kind), "junit_per_suite", False)


def summary_case(suite: ET.Element, results: Results, kind: str, summary) -> str:
    """A kind's main score on a suite as one testcase: a failure below its --min-score (for
    wsd, --min-f1), or when it has none while a minimum is set."""
    measure = results.measures[kind]
    minimum = results.gates.thresholds.get(f"min_score.{kind}") if results.gates else None
    case = ET.SubElement(suite, "testcase", classname=xml_text(
        f"{summary.backend}.{summary.suite}"), name=xml_text(f"{kind}: {measure.score_name}"))
    detail = f"{measure.score_name}={number(summary.score, 6)}"
    if minimum is not None and (summary.score is None or summary.score < minimum):
        ET.SubElement(case, "failure", message=xml_text(
            f"{kind}: {detail} below the minimum {minimum:g}")).text = detail
        return "failure"
    ET.SubElement(case, "system-out").text = detail
    return "pass"


def ordering_case(suite: ET.Element, r: ExpectationResult) -> str:
    """An expectation's testcase: "pass", "failure" (a tie, or the ordering does not hold) or
    "error" (unscored)."""
    case = ET.SubElement(suite, "testcase", classname=xml_text(
        f"{r.backend}.{r.suite}.{r.test}"), name=xml_text(r.expectation))
    detail = (f"sim_closer={number(r.sim_closer, 6)} "
              f"sim_farther={number(r.sim_farther, 6)} margin={number(r.margin, 6)} "
              f"needed>{r.required_margin:g}"
              + (f" margin_sd={number(r.margin_sd, 3)}" if r.margin_sd is not None
                 else "") + (" (weak)" if r.weak else ""))
    if r.error is not None:
        ET.SubElement(case, "error", message=xml_text("unscored: " + r.error))
        return "error"
    if r.passed:
        ET.SubElement(case, "system-out").text = detail
        return "pass"
    kind = "tie" if r.tie else "ordering does not hold"
    failure = ET.SubElement(case, "failure", message=f"{kind}: margin {number(r.margin)}")
    failure.text = detail
    return "failure"


def render(results: Results) -> str:
    """One testsuite per backend and suite; in it, each kind of test's rows as testcases, in
    the order the kinds were registered (orderings, graded tests, then plugins' kinds), each by
    its kind's rule."""
    root = ET.Element("testsuites", name="wic-harness")
    minimum = (results.gates.thresholds.get("min_spearman") if results.gates else None)
    cases = {"orderings": ordering_case,
             "graded": lambda suite, row: graded_case(suite, row, minimum)}
    kinds = ["orderings", "graded", *results.measure_rows]
    for summary in results.summary_rows:
        skipped = int(summary.status == "skipped")
        failed = int(summary.status not in ("ok", "skipped"))
        suite = ET.SubElement(root, "testsuite", name=xml_text(f"{summary.backend} / "
                                                                f"{summary.suite}"),
                              tests="0", failures="0", errors="0", skipped=str(skipped))
        if summary.status != "ok":
            case = ET.SubElement(suite, "testcase", classname=xml_text(summary.backend),
                                 name="backend")
            ET.SubElement(case, "skipped" if skipped else "error",
                          message=xml_text(f"{summary.status}: {summary.error}"))
        outcomes = [cases.get(kind, lambda suite, row, kind=kind: measure_case(
                        suite, results, kind, row))(suite, row)
                    for kind in kinds if not per_suite(results, kind)
                    for row in results.rows_of(kind)
                    if (row.backend, row.suite) == (summary.backend, summary.suite)]
        outcomes += [summary_case(suite, results, kind, s) for kind in kinds
                     if per_suite(results, kind) for s in results.measure_summaries.get(kind, [])
                     if (s.backend, s.suite, s.status) == (summary.backend, summary.suite, "ok")]
        suite.set("tests", str(len(outcomes) + (summary.status != "ok")))
        suite.set("failures", str(outcomes.count("failure")))
        suite.set("errors", str(outcomes.count("error") + failed))
    ET.indent(root, space="")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
