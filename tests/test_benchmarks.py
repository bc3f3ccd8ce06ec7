"""Every benchmark runs to its end at a tiny size, so that none can rot. (Their figures come
from full-size runs; at this size the ratios mean nothing and are not checked.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("torch")


@pytest.fixture(scope="module", autouse=True)
def wordnet(wordnet_dir):
    return wordnet_dir


def bench(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), *args],
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_bench_runs():
    out = bench("bench_runs.py", "--tests", "10", "--rounds", "1")
    assert "harness run, warm (cache)" in out and "targets:" in out


def test_bench_hf():
    out = bench("bench_hf.py", "-n", "40")
    assert "items/s" in out and "minilm" in out


def test_bench_executors():
    pytest.importorskip("ray")
    out = bench("bench_executors.py", str(ROOT / "suites" / "polysemy.yaml"), "--rounds", "1")
    assert "ray executor" in out
