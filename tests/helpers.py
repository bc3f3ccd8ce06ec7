"""What several test modules share: paths of the repository and small suites. Imported by the
tests themselves (never through conftest.py, which holds fixtures only)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLYSEMY = ROOT / "suites" / "polysemy.yaml"
# The built-in report formats, in the order they are registered and written.
BUILT_IN_REPORTS = ["results.json", "similarities.parquet", "results.csv", "correlations.csv",
                    "pairs.csv", "measures.csv", "report.md", "junit.xml", "report.html"]

QUARTET = """\
suite: toy
tests:
  - id: mouse
    contexts:
      mouse1: {text: "A mouse is a rodent animal.", word: mouse}
      mouse2: {text: "A mouse is a computer device.", word: mouse}
      rat: {text: "A rat is an animal.", word: rat}
      keyboard: {text: "A keyboard is a device.", word: keyboard}
    expect:
      - "mouse1: rat > keyboard"
      - {anchor: mouse2, closer: keyboard, farther: rat, margin: 0.1}
      - "rat: mouse1 > mouse2"
"""


SLOW_RUN = """\
import pathlib, signal, sys, time
from harness.plugins import hookimpl, manager
from harness.testing import FakeBackend

# Ctrl-C as an interactive shell delivers it: a job started in the background of a script (a CI
# runner's) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt
signal.signal(signal.SIGINT, signal.default_int_handler)
marker, out, extra = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]

class Slow(FakeBackend):
    plugin = "slow"

    def embed_batch(self, items):
        marker.write_text("started")
        time.sleep(300)
        return super().embed_batch(items)

class Plugin:
    @hookimpl
    def harness_register_backends(self, register):
        register.add_plugin(FakeBackend)
        register.add_plugin(Slow)

real = manager.make_plugin_host
manager.make_plugin_host = lambda **kw: real(**{**kw, "autoload": False, "plugins": (Plugin(),)})
from harness.cli import main
sys.exit(main(["run", "suites/polysemy.yaml", "-b", "fake", "-b", "slow", "-o", out,
               "--no-cache", *extra]))
"""


def start_slow_run(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    """`harness run` of polysemy.yaml on `fake` and `slow` (a backend that sleeps 300 s) in a
    process of its own, with `extra` arguments; returned once `slow` has started embedding,
    with its output folder."""
    script, marker, out = tmp_path / "slow.py", tmp_path / "started", tmp_path / "out"
    script.write_text(SLOW_RUN)
    process = subprocess.Popen([sys.executable, str(script), str(marker), str(out), *extra],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 300  # a bound on waiting, not a measurement
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), process.communicate()
    return process, out


def only_plugins(monkeypatch, *plugins: object) -> None:
    """Every plugin host made during the test knows `plugins` alone (no entry points)."""
    from harness.plugins import manager

    real = manager.make_plugin_host
    monkeypatch.setattr(manager, "make_plugin_host",
                        lambda **kw: real(**{**kw, "autoload": False, "plugins": plugins}))


WIC_DATA = (  # four WiC lines (tests/test_wic.py, test_wic_pairs.py)
    "bank\tN\t4-2\tHe sat on the bank of the river .\tThe river bank was muddy .\n"
    "bank\tN\t4-4\tShe went to the bank to deposit money .\tThe river overflowed its bank .\n"
    "play\tV\t1-1\tThey play chess every day .\tChildren play football outside .\n"
    "play\tV\t2-1\tWe will play the piano tonight .\tThey played a game of cards .\n"
)
WIC_GOLD = "T\nF\nT\nF\n"
