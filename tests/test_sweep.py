"""`harness sweep`: every layer and pooling option of a model from one forward pass per text."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from harness.cli import main  # noqa: E402
from harness.pipeline.runner import run_suites, unique_items  # noqa: E402
from harness.reports.studies.sweep import best_layers  # noqa: E402
from harness.studies.layer_sweep import sweep_rows, variants  # noqa: E402
from harness.suites.validate import load_suite  # noqa: E402
from harness_backends.hf import HfBackend  # noqa: E402
from tests.helpers import POLYSEMY, only_plugins  # noqa: E402


def test_variants_share_one_forward_pass_per_text(tiny_bert):
    base = HfBackend("tiny", {"model": str(tiny_bert), "layers": "-1"})
    plan = variants(base)
    assert [(o, v) for o, v, _ in plan][:3] == [("layers", "0"), ("layers", "1"),
                                               ("layers", "2")]
    assert len(plan) == 3 + 4 + 3
    calls = []
    forward = base.forward
    base.forward = lambda ids, mask: calls.append(ids.shape[0]) or forward(ids, mask)
    suite = load_suite(POLYSEMY)
    results = run_suites([suite], [base, *(b for _, _, b in plan)], reference=False)
    assert sum(calls) == len({i.text for i in unique_items([suite])})
    rows = sweep_rows(results, [("tiny", o, v, b.name) for o, v, b in plan])
    assert len(rows) == len(plan) and all(r.total == 8 for r in rows)
    best = best_layers(rows)["tiny"]
    assert best.accuracy == max(r.accuracy for r in rows if r.option == "layers")


@pytest.mark.slow
@pytest.mark.real_model
def test_sweep_command_writes_table_and_plot(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", str(POLYSEMY), "-b", "minilm", "-o", str(out), "--no-cache"]) == 0
    printed = capsys.readouterr().out
    assert "best single layer of minilm:" in printed
    with open(out / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["value"] for r in rows if r["option"] == "layers"] == [str(i) for i in range(7)]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "results.json").exists()


def test_a_backend_with_nothing_to_sweep(tmp_path, capsys):
    assert main(["sweep", str(POLYSEMY), "-b", "glove-50d", "-o", str(tmp_path)]) == 2
    assert "has nothing to sweep" in capsys.readouterr().err


def toy_plugin(monkeypatch, backend_class) -> None:
    """Every plugin host of the test knows only `backend_class` (a toy transformer)."""
    from harness.plugin_api import hookimpl

    class Plugin:
        @hookimpl
        def harness_register_backends(self, register):
            register.add_plugin(backend_class)

    only_plugins(monkeypatch, Plugin())


@pytest.mark.parametrize("where", ["a folder", "a folder under a file"])
def test_an_interrupted_sweep_exits_130_and_writes_what_finished(monkeypatch, tmp_path, capsys,
                                                                 where):
    """Ctrl-C during a sweep: the exit code says so (not 2), as for `harness run`, and
    reports that went to a temporary folder are still said to be there."""
    from tests.toy_models import ToyBackend

    class Interrupting(ToyBackend):
        plugin = "interrupting"

        def forward(self, input_ids, attention_mask):
            raise KeyboardInterrupt

    toy_plugin(monkeypatch, Interrupting)
    out = tmp_path
    if where == "a folder under a file":
        (tmp_path / "a-file").write_text("x")
        out = tmp_path / "a-file" / "out"
    code = main(["sweep", str(POLYSEMY), "-b", "interrupting", "--no-cache", "-o", str(out)])
    assert code == 130
    if where == "a folder under a file":
        err = capsys.readouterr().err
        assert f"cannot write reports to {out}" in err and "they are in " in err
        out = Path(err.split("they are in ")[1].split(" instead")[0])
    backends = json.loads((out / "results.json").read_text())["backends"]
    assert {b["status"] for b in backends.values()} == {"interrupted"}


def test_a_built_in_report_that_raises_makes_the_sweep_exit_2(monkeypatch, tmp_path, capsys):
    from harness.reports import markdown
    from tests.toy_models import ToyBackend

    class Toy(ToyBackend):
        plugin = "toy"

    def broken(results):
        raise RuntimeError("a bug in the renderer")

    toy_plugin(monkeypatch, Toy)
    monkeypatch.setattr(markdown, "render", broken)
    assert main(["sweep", str(POLYSEMY), "-b", "toy", "--no-cache", "-o", str(tmp_path)]) == 2
    assert "report.md could not be written: RuntimeError: a bug in the renderer" in (
        capsys.readouterr().err)
    assert (tmp_path / "sweep.csv").exists() and not (tmp_path / "report.md").exists()
