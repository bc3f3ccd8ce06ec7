"""harness/results/runs.py: a stored run's identity and its exported file, read back as written,
and refused with the file and the field named when it is not one."""

from __future__ import annotations

import json
import uuid

import pytest

from harness.errors import HarnessError
from harness.pipeline.runner import run_suites
from harness.results.runs import RunInfo, StoredRun, exported_files, read_exported
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY


def a_run() -> StoredRun:
    results = run_suites([load_suite(POLYSEMY)], [FakeBackend("fake")])
    info = RunInfo(id=uuid.uuid4().hex, created="2026-12-08T02:09:53+00:00",
                   harness_version="0.4.0", command="harness run polysemy",
                   commit="a539a63", labels={"branch": "main"})
    return StoredRun(info, results)


def test_an_exported_run_reads_back_as_written(tmp_path):
    run = a_run()
    path = tmp_path / run.file_name()
    path.write_text(json.dumps(run.to_dict()))
    back = read_exported(path)
    assert back.info == run.info
    assert back.results.to_dict() == run.results.to_dict()
    assert path.name.startswith("20261208020953-") and exported_files(tmp_path) == [path]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["run"].update(id="not-an-id"), "run.id is 'not-an-id'"),
    (lambda d: d["run"].update(labels={"k": 1}), "run.labels is not an object of strings"),
    (lambda d: d["run"].update(extra=1), "unknown key 'extra'"),
    (lambda d: d.pop("results"), "not an exported run (an object with schema 1"),
    (lambda d: d["results"].pop("backends"), "backends"),
])
def test_a_damaged_export_is_refused_naming_the_file(tmp_path, change, message):
    data = a_run().to_dict()
    change(data)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data))
    with pytest.raises(HarnessError, match="run.json: ") as caught:
        read_exported(path)
    assert message in str(caught.value)
