"""Report files: results.json follows schema 1; the CSV and markdown derive from it."""

from __future__ import annotations

import csv
import json

from harness.reports import write_reports
from harness.results import Results
from harness.runner import run_suites
from harness.suite import load_suite
from harness.testing import FakeBackend
from tests.conftest import POLYSEMY


def polysemy_results():
    return run_suites([load_suite(POLYSEMY)],
                      [FakeBackend("fake"), FakeBackend("off", {"available": "no"})])


def test_results_json_schema_1(tmp_path):
    write_reports(polysemy_results(), tmp_path)
    data = json.loads((tmp_path / "results.json").read_text())
    assert {"schema", "harness_version", "created", "suites", "backends", "summary",
            "results"} <= set(data)
    assert data["schema"] == 1
    assert set(data["backends"]["fake"]) >= {"plugin", "options", "fingerprint", "versions"}
    assert data["backends"]["off"]["status"] == "unavailable"
    summary = data["summary"][0]
    assert set(summary) >= {"backend", "suite", "passed", "total", "accuracy", "ties",
                            "tests_passed", "tests_total"}
    row = data["results"][0]
    assert set(row) >= {"backend", "suite", "test", "expectation", "sim_closer", "sim_farther",
                        "margin", "passed", "tie"}
    assert row["margin"] == row["sim_closer"] - row["sim_farther"]


def test_results_json_round_trips(tmp_path):
    results = polysemy_results()
    again = Results.from_dict(json.loads(json.dumps(results.to_dict())))
    assert again.to_dict() == results.to_dict()


def test_csv_has_one_row_per_backend_and_expectation(tmp_path):
    write_reports(polysemy_results(), tmp_path)
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert rows[0]["expectation"] == "mouse1: rat > keyboard"
    assert float(rows[0]["margin"]) == float(rows[0]["sim_closer"]) - float(rows[0]["sim_farther"])


def test_markdown_report_tables(tmp_path):
    results = polysemy_results()
    write_reports(results, tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "| backend | suite | passed | accuracy | ties | tests passed | status |" in text
    assert "| off | polysemy | - | - | - | - | unavailable:" in text
    first = results.rows[0]
    line = next(ln for ln in text.splitlines() if "| mouse1: rat > keyboard |" in ln)
    for value in (first.sim_closer, first.sim_farther, first.margin):
        assert f"{value:.4f}" in line


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    write_reports(polysemy_results(), tmp_path)
    write_reports(polysemy_results(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "report.md", "results.csv", "results.json"]
