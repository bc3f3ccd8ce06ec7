"""`harness compare`: pairwise accuracy intervals and exact McNemar tests."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from harness.measures.stats import mcnemar_exact, wilson_interval
from harness.pipeline.runner import run_suites
from harness.reports import write_reports
from harness.results.compare import compare
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY


def test_statistics_against_known_values():
    assert mcnemar_exact(0, 4) == pytest.approx(0.125)  # 2 * 0.5**4
    assert mcnemar_exact(3, 3) == pytest.approx(1.0)
    assert mcnemar_exact(0, 0) == 1.0
    low, high = wilson_interval(6, 8)
    assert (round(low, 3), round(high, 3)) == (0.409, 0.929)


@pytest.fixture
def two_files(tmp_path):
    suite = load_suite(POLYSEMY)
    paths = []
    for name, seed in (("a", 0), ("b", 5)):
        results = run_suites([suite], [FakeBackend("model", {"seed": seed}),
                                       FakeBackend("other", {"seed": seed + 1})])
        write_reports(results, tmp_path / name)
        paths.append(tmp_path / name / "results.json")
    return paths


def test_pairs_in_one_file(two_files):
    [pair] = compare([two_files[0]])
    data = json.loads(two_files[0].read_text())
    passed = {name: {(r["test"], r["expectation"]): r["passed"] for r in data["results"]
                     if r["backend"] == name} for name in ("model", "other")}
    a, b = passed["model"], passed["other"]
    assert (pair.a, pair.b, pair.shared) == ("model", "other", 8)
    assert pair.passed_a == sum(a.values()) and pair.passed_b == sum(b.values())
    assert pair.only_a == sum(a[k] and not b[k] for k in a)
    assert pair.p_value == pytest.approx(mcnemar_exact(pair.only_a, pair.only_b))


def test_same_backend_in_two_files_is_told_apart(two_files):
    labels = {(p.a, p.b) for p in compare(two_files)}
    assert ("model@a", "model@b") in labels


def test_cli(two_files, tmp_path, capsys):
    out = tmp_path / "cmp.md"
    assert main(["compare", *map(str, two_files), "--markdown", str(out)]) == 0
    assert "McNemar p" in capsys.readouterr().out
    assert "| backend A | backend B | shared |" in out.read_text()
    assert main(["compare", str(two_files[0]), str(two_files[1]), str(two_files[0])]) == 0
    out = capsys.readouterr().out
    assert "Holm's correction over the" in out and "no difference shown between" in out


def test_suites_are_compared_one_by_one_with_a_verdict_each(tmp_path, capsys, write_suite):
    """polysemy and wordnet in one file: a table per suite, each under its name, and a verdict
    per suite and pair, Holm-adjusted over the comparisons (recorded in the CHANGELOG: until
    0.4 compare pooled the suites without saying so)."""
    from harness.measures.significance import holm_adjusted
    from tests.test_graded import GRADED

    suites = [load_suite(POLYSEMY), load_suite(write_suite(GRADED))]
    results = run_suites(suites, [FakeBackend("a"), FakeBackend("b", {"seed": 3})])
    write_reports(results, tmp_path / "run")
    path = str(tmp_path / "run" / "results.json")
    assert main(["compare", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["suite"] for p in data["pairs"]] == ["polysemy"]
    assert {g["suite"] for g in data["graded"]} == {"graded"}
    assert all(0 < g["p_value"] <= 1 for g in data["graded"])
    found = data["verdicts"]
    assert data["correction"] == "holm" and len(found) == 1 + len(data["graded"])
    raw = [data["pairs"][0]["p_value"], *(g["p_value"] for g in data["graded"])]
    assert [v["adjusted"] for v in found] == pytest.approx(holm_adjusted(raw))
    assert main(["compare", path, "--markdown", str(tmp_path / "c.md")]) == 0
    text = capsys.readouterr().out
    assert "polysemy: Backends compared" in text and "graded: Graded tests compared" in text
    markdown = (tmp_path / "c.md").read_text()
    assert "## Backends compared on polysemy" in markdown and "## Verdicts" in markdown


def test_same_backend_across_runs_is_compared_first(two_files):
    labels = [(p.a, p.b) for p in compare(two_files)]
    assert labels[0] == ("model@a", "model@b") and labels[1] == ("other@a", "other@b")


def test_unscored_expectations_are_left_out(tmp_path):
    suite = load_suite(POLYSEMY)
    results = run_suites([suite], [FakeBackend("full"),
                                   FakeBackend("gaps", {"missing": "rat,greasy"})])
    write_reports(results, tmp_path)
    [pair] = compare([tmp_path / "results.json"])
    scored = [r for r in results.rows if r.backend == "gaps" and r.error is None]
    assert pair.shared == len(scored) < 8


def test_closed_forms_agree_with_scipy():
    """The Wilson interval and the exact McNemar p-value, computed without scipy, equal
    scipy's binomtest (Wilson without continuity correction; two-sided exact test) to 1e-12."""
    stats = pytest.importorskip("scipy.stats")
    for total in (1, 2, 7, 8, 50, 333):
        for passed in range(0, total + 1, max(1, total // 9)):
            want = stats.binomtest(passed, total).proportion_ci(0.95, method="wilson")
            low, high = wilson_interval(passed, total)
            assert (low, high) == pytest.approx((want.low, want.high), abs=1e-12)
    for only_a in range(0, 30, 3):
        for only_b in range(0, 30, 4):
            if only_a + only_b:
                want = stats.binomtest(only_a, only_a + only_b, 0.5).pvalue
                assert mcnemar_exact(only_a, only_b) == pytest.approx(want, abs=1e-12)


def test_report_html_says_which_differences_are_significant(two_files):
    """report.html's section holds compare's verdicts for the backends of the run."""
    from harness.measures.verdicts import verdicts
    from harness.reports.html import render
    from harness.results.compare import compare_by_suite
    from harness.results.load import load_results

    page = render(load_results(two_files[0]))
    [verdict] = verdicts(compare_by_suite([two_files[0]]))
    section = page.split("<h2>Significant differences</h2>")[1].split("</ul>")[0]
    assert "one comparison, no correction" in section
    assert f"<li>{verdict.sentence(False)}</li>" in section
