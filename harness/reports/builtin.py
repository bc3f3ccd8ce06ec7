"""The built-in report formats, registered through `harness_register_reports` as a plugin's
are (every plugin host registers this module first). The renderers are imported in the hook,
so that importing this module costs nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.plugins import hookimpl

if TYPE_CHECKING:
    from harness.plugins.reports import ReportRegistration


@hookimpl
def harness_register_reports(register: ReportRegistration) -> None:
    from harness.reports import (
        graded_csv,
        html,
        junit,
        markdown,
        measures_csv,
        results_csv,
        results_json,
        similarities,
    )

    # results.json first: the others derive from it
    register.add_report("results.json", results_json.render,
                        description="everything the run found (schema 1)")
    register.add_report(similarities.FILE, similarities.render,
                        description="the similarity matrices of a run too large to inline")
    register.add_report("results.csv", results_csv.render,
                        description="one row per backend and expectation")
    register.add_report("correlations.csv", graded_csv.render_correlations,
                        description="one row per backend and graded test (graded runs only)")
    register.add_report("pairs.csv", graded_csv.render_pairs,
                        description="one row per backend and graded pair (graded runs only)")
    register.add_report("measures.csv", measures_csv.render,
                        description="one row per backend and row of a plugin's kind of test")
    register.add_report("report.md", markdown.render,
                        description="the tables, short enough for a pull-request comment")
    register.add_report("junit.xml", junit.render,
                        description="one testcase per backend and expectation, for CI")
    register.add_report("report.html", html.render,
                        description="one self-contained page with plots and heatmaps")
