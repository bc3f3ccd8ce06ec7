"""The options every command that embeds shares (harness/cli/common.py: `add_shared_options`):
declared once, accepted by run, sweep, wic, geometry and senses alike, and doing what they say
in each (--json, --no-progress)."""

from __future__ import annotations

import json

import pytest

from harness.cli import build_parser, common, main
from tests.helpers import POLYSEMY
from tests.test_sweep import toy_plugin

# each command that embeds, with the arguments it needs besides the shared options
EMBEDDING_COMMANDS = {
    "run": [],
    "sweep": [],
    "wic": ["data.txt", "gold.txt"],
    "geometry": ["-b", "glove-50d"],
    "senses": ["-b", "minilm", "--file", "senses.tsv"],
}
VALUES = {"-o": "out", "--executor": "ray", "--ray-address": "auto", "--ray-workers": "2",
          "--shard-size": "8"}


def parsed(command: str, *options: str):
    from harness.cli import _commands

    return build_parser(_commands([command])).parse_args(
        [command, *EMBEDDING_COMMANDS[command], *options])


@pytest.mark.parametrize("command", list(EMBEDDING_COMMANDS))
@pytest.mark.parametrize("option", common.SHARED_OPTIONS)
def test_every_command_that_embeds_accepts_every_shared_option(command, option):
    value = [VALUES[option]] if option in VALUES else []
    args = parsed(command, option, *value)
    assert (args.output, args.executor, args.ray_address, args.ray_workers, args.shard_size) == (
        VALUES["-o"] if option == "-o" else None,
        "ray" if option == "--executor" else None,  # None: the config's, else "local"
        "auto" if option == "--ray-address" else None,
        2 if option == "--ray-workers" else 1,
        8 if option == "--shard-size" else 1024)
    assert args.no_cache == (option == "--no-cache")
    assert args.no_progress == (option == "--no-progress")
    assert common.quiet(args) == (option in ("--json", "-q"))
    assert args.config_command == command
    assert "executor" in args.config_fallbacks


def test_the_shared_options_make_one_run_context():
    from harness.pipeline.executors import LocalExecutor

    args = parsed("sweep", "--no-cache", "--no-progress")
    args.executor = "local"  # as config.apply leaves it
    context = common.run_context(args, registry="a registry", output="out")
    assert (context.cache, context.progress, context.registry, context.output) == (
        None, None, "a registry", "out")
    assert isinstance(context.executor, LocalExecutor)
    args = parsed("geometry")
    args.executor = "local"
    assert common.run_context(args).cache is not None  # the embedding cache, unless --no-cache


def test_no_progress_reaches_the_study(monkeypatch, tmp_path, fake_only):
    """`harness geometry --no-progress` (refused before 0.4 by every study) turns the bars off."""
    from harness.studies import layer_geometry

    seen = []
    real = layer_geometry.measure_each

    def spy(backends, context=None):
        seen.append(context)
        return real(backends, context)

    def bars(total, desc):  # a maker of progress bars that draws none
        return None

    monkeypatch.setattr(layer_geometry, "measure_each", spy)
    monkeypatch.setattr(common, "progress_factory", lambda enabled: bars if enabled else None)
    assert main(["geometry", "-b", "fake", "--no-cache", "--no-progress", "-o",
                 str(tmp_path / "g")]) == 0
    assert main(["geometry", "-b", "fake", "--no-cache", "-o", str(tmp_path / "h")]) == 0
    assert [c.progress for c in seen] == [None, bars]


def test_geometry_json(tmp_path, fake_only, capsys):
    out = tmp_path / "g"
    assert main(["geometry", "-b", "fake", "--no-cache", "--json", "-o", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["exit_code"] == 0 and printed["output"] == str(out)
    assert [p.rsplit("/", 1)[1] for p in printed["files"]] == [
        "geometry.csv", "geometry.md", "geometry.png"]
    [row] = printed["rows"]
    assert row["backend"] == "fake" and row["layer"] is None
    assert -1 <= row["anisotropy"] <= 1 and 0 < row["mev"] <= 1


def test_senses_json(tmp_path, fake_only, capsys):
    path = tmp_path / "s.tsv"
    path.write_text("sense\ttext\tword\n" + "".join(
        f"{s}\tA {w} of the bank {n}.\tbank\n" for s, w in (("river", "shore"), ("money", "loan"))
        for n in range(3)))
    assert main(["senses", "-b", "fake", "--file", str(path), "--json", "-o",
                 str(tmp_path / "m")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["exit_code"] == 0
    assert [s["name"] for s in printed["senses"]] == ["river", "money"]
    assert len(printed["points"]) == 6 and printed["points"][0]["sense"] == "river"


def test_wic_json(tmp_path, fake_only, capsys):
    from tests.helpers import WIC_DATA as DATA
    from tests.helpers import WIC_GOLD as GOLD

    (tmp_path / "d.txt").write_text(DATA)
    (tmp_path / "g.txt").write_text(GOLD)
    assert main(["wic", str(tmp_path / "d.txt"), str(tmp_path / "g.txt"), "-b", "fake",
                 "--no-cache", "--json", "-o", str(tmp_path / "w")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["exit_code"] == 0 and printed["failures"] == {}
    assert [r["backend"] for r in printed["results"]] == ["fake"]
    assert printed["results"][0]["pairs"] == 4


def test_sweep_json(monkeypatch, tmp_path, capsys):
    from tests.toy_models import ToyBackend

    class Toy(ToyBackend):
        plugin = "toy"

    toy_plugin(monkeypatch, Toy)
    assert main(["sweep", str(POLYSEMY), "-b", "toy", "--no-cache", "--no-progress", "--json",
                 "-o", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["exit_code"] == 0
    names = [p.rsplit("/", 1)[1] for p in printed["files"]]
    assert names[:3] == ["sweep.csv", "sweep.md", "sweep.png"] and "results.json" in names
    assert {r["option"] for r in printed["rows"]} >= {"layers"}
    assert all(0 <= r["accuracy"] <= 1 for r in printed["rows"])


@pytest.mark.parametrize("command", list(EMBEDDING_COMMANDS))
def test_every_command_that_embeds_takes_the_shared_config_keys(command, tmp_path, monkeypatch):
    from harness import config
    from harness.cli import config as cli_config

    assert config.SHARED == {"output", "executor"} and config.SHARED <= config.COMMANDS[command]
    (tmp_path / "harness.toml").write_text(
        f'executor = "ray"\n[{command}]\noutput = "from-config"\n')
    monkeypatch.chdir(tmp_path)
    args = parsed(command)
    cli_config.apply(args)
    assert (args.executor, args.output) == ("ray", "from-config")
