"""Every benchmark, and the script that puts their figures into the README and the docs, runs to
its end at a tiny size, so that none can rot. (The figures come from full-size runs; at this
size the ratios mean nothing and are not checked.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def needs(wordnet_dir):
    pytest.importorskip("torch")
    pytest.importorskip("ray")


def test_the_leaderboard_benchmark_runs_tiny():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_leaderboard.py"),
                           "--tiny"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| models | seconds | peak MB |" in done.stdout


def test_figures_fill_every_block_of_the_pages(tmp_path):
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "docs").mkdir()
    for page in (ROOT / "docs").glob("*.md"):
        shutil.copy(page, tmp_path / "docs" / page.name)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "figures.py"), "--tiny",
                           "--root", str(tmp_path)], capture_output=True, text=True,
                          timeout=1800, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    text = "\n".join(p.read_text() for p in [tmp_path / "README.md",
                                             *(tmp_path / "docs").glob("*.md")])
    blocks = dict(re.findall(r"<!-- figure:([\w-]+) -->\n(.*?)<!-- /figure:\1 -->", text,
                             re.DOTALL))
    assert set(blocks) >= {"machine", "wordnet", "sweep", "reference", "postprocess",
                           "geometry", "senses", "polysemy-run", "compare", "executors",
                           "bench-runs", "bench-hf", "bench-scale", "graded"}
    assert all(body.strip() for body in blocks.values())
    for name in ("bench-runs", "bench-scale"):
        assert "targets" in blocks[name] and re.search(r"(met |MISS) ", blocks[name])
    assert blocks["postprocess"].count("\n| minilm |") == 4
    assert blocks["postprocess"].count("\n| glove-50d |") == 4
    assert "| glove-50d |" in blocks["geometry"]
    assert "15 examples of 13 senses contain 'bank'" in blocks["senses"]
    assert "items/s" in blocks["bench-hf"] and "ray executor" in blocks["executors"]
    assert "| WordSim-353 | glove-50d | words alone | 0.503 [0.416, 0.582] |" in blocks["graded"]


def test_the_store_benchmark_imports_every_run_at_a_tiny_size(tmp_path):
    figures = tmp_path / "store.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_store.py"),
                           "--tiny", "--json", str(figures)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    import json

    rows = json.loads(figures.read_text())
    assert [r["models"] for r in rows] == [2, 3] and rows[-1]["item_rows"] == 180
    assert "| 3 | 180 |" in done.stdout
