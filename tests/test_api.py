"""The Python API for notebooks."""

from __future__ import annotations

import numpy as np
import pytest

import harness
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY


def test_run_returns_dataframes(registry):
    results = harness.run([POLYSEMY], ["fake"], registry=registry)
    summary = results.summary
    assert list(summary["backend"]) == ["fake"] and summary.loc[0, "total"] == 8
    frame = results.to_frame()
    assert len(frame) == 8 and {"sim_closer", "sim_farther", "margin"} <= set(frame.columns)


def test_run_accepts_suite_objects_and_backend_objects():
    suite = harness.load_suite(POLYSEMY)
    results = harness.run([suite], [FakeBackend("mine")])
    assert list(results.backends) == ["mine"]


def test_embed_and_similarities_like_the_notebook():
    backend = FakeBackend("f", {"vectors": {"mouse": [1, 0], "rat": [1, 1]}, "dim": 2})
    contexts = {
        "mouse1": ("A mouse is a rodent animal.", "mouse"),
        "rat": ("A rat is an animal that lives in the sewers.", "rat"),
    }
    vectors = harness.embed(backend, list(contexts.values()))
    assert vectors.shape == (2, 2)
    sims = harness.similarities(backend, contexts)
    assert sims.loc["mouse1", "rat"] == pytest.approx(2 ** -0.5)
    assert list(sims.index) == ["mouse1", "rat"]


def test_embed_accepts_sentences_and_occurrences():
    backend = FakeBackend("f")
    one = harness.embed(backend, [("A mouse saw a mouse.", "mouse", 2)])
    same = harness.embed(backend, [harness.Item("A mouse saw a mouse.", (14, 19))])
    np.testing.assert_array_equal(one, same)
    assert harness.embed(backend, ["A whole sentence."]).shape == (1, 8)
    with pytest.raises(ValueError, match="does not occur"):
        harness.embed(backend, [("A cat.", "dog")])


def test_single_suite_and_backend_without_lists(registry):
    results = harness.run(str(POLYSEMY), "fake", registry=registry)
    assert list(results.backends) == ["fake"] and results.suites == ["polysemy"]


def test_embed_wants_a_list_of_contexts():
    with pytest.raises(TypeError, match="a list of contexts"):
        harness.embed(FakeBackend("f"), ("A mouse.", "mouse"))


def test_embed_and_similarities_refuse_a_dataframe_saying_what_to_pass():
    """A DataFrame iterates over its column names: embed once gave their vectors."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": ["A mouse ran.", "A rat ran."], "word": ["mouse", "rat"]})
    with pytest.raises(TypeError, match=r"got DataFrame of shape \(2, 2\), a table: .* "
                       r"list\(zip\(df\.text, df\.word\)\)"):
        harness.embed(FakeBackend("f"), frame)
    assert harness.embed(FakeBackend("f"), list(zip(frame.text, frame.word))).shape == (2, 8)
    with pytest.raises(TypeError) as caught:
        harness.similarities(FakeBackend("f"), frame)
    assert str(caught.value) == ("contexts must be a mapping of label -> context, like "
                                 "{'mouse1': ('A mouse ran.', 'mouse')}; got DataFrame")


def test_embed_unavailable_backend_raises_with_the_fix():
    with pytest.raises(harness.errors.BackendUnavailable, match="Fix: drop available=false"):
        harness.embed(FakeBackend("f", {"available": "no"}), ["x"])


def test_notebook_mouse_example_on_glove():
    """docs/python-api.md's example, on the real GloVe vectors: a context-free model gives both mice
    one vector, so their similarities to rat are equal."""
    sims = harness.similarities("glove-50d", {
        "mouse1": ("A mouse is a rodent animal.", "mouse"),
        "mouse2": ("A mouse is a computer device.", "mouse"),
        "rat": ("A rat is an animal that lives in the sewers.", "rat"),
        "keyboard": ("A computer has a keyboard as an input device.", "keyboard"),
    })
    assert sims.loc["mouse1", "rat"] == pytest.approx(sims.loc["mouse2", "rat"])
    assert sims.loc["mouse1", "rat"] > sims.loc["mouse1", "keyboard"]


def test_every_command_has_its_api(tmp_path, tiny_bert, registry):
    """What the CLI's sweep, wic and make-suite do, a notebook can do through the API."""
    from tests.helpers import WIC_DATA as DATA
    from tests.helpers import WIC_GOLD as GOLD
    from tests.test_wordnet import SENSES

    done = harness.sweep([POLYSEMY], [f"hf:model={tiny_bert},layers=-1"], cache=False)
    assert [(r.option, r.value) for r in done.rows][:3] == [("layers", "0"), ("layers", "1"),
                                                            ("layers", "2")]
    assert len(done.rows) == 3 + 4 + 3 and done.results.backends

    (tmp_path / "d.txt").write_text(DATA)
    (tmp_path / "g.txt").write_text(GOLD)
    wic = harness.evaluate_wic(tmp_path / "d.txt", tmp_path / "g.txt", ["fake"],
                               registry=registry, cache=False)
    [score] = wic.scores
    assert score.backend == "fake" and score.pairs == 4 and not wic.failures
    assert 0 <= score.accuracy <= 1 and np.isfinite(score.threshold)

    (tmp_path / "data.noun").write_text(SENSES)
    built = harness.wordnet_suite(pos="n", min_words=1, wordnet_dir=tmp_path, output="x.yaml")
    suite = harness.load_suite(built.write(tmp_path / "x.yaml"))
    assert len(suite.tests) == built.tests >= 1



def test_embed_returns_float32_as_the_docs_say():
    import numpy as np

    from harness.testing import FakeBackend

    vectors = harness.embed(FakeBackend("f"), [("A mouse ran.", "mouse"), "A sentence."],
                            cache=False)
    assert vectors.dtype == np.float32 and vectors.shape == (2, 8)
    missing = harness.embed(FakeBackend("f", {"missing": "mouse"}), [("A mouse.", "mouse")],
                            cache=False)
    assert missing.dtype == np.float32 and np.isnan(missing).all()


def test_progress_is_automatic_in_a_notebook_and_can_be_turned_off(monkeypatch):
    import sys
    import types

    from harness.pipeline.inputs import progress_of

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert progress_of("auto") is None and progress_of(False) is None
    assert callable(progress_of(True))
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    bar = progress_of("auto")(3, "fake")
    assert type(bar).__module__.startswith("tqdm")  # tqdm.auto's, in a notebook
    bar.close()
    with pytest.raises(TypeError, match="progress must be"):
        progress_of("yes")


# -- output=DIR: the files the command writes with -o ----------------------------------------


def test_run_with_output_writes_what_harness_run_o_writes(tmp_path, fake_only):
    from harness.cli import main

    results = harness.run([POLYSEMY], ["fake"], cache=False, output=tmp_path / "api" / "new")
    assert main(["run", str(POLYSEMY), "-b", "fake", "--no-cache", "--no-config", "-o",
                 str(tmp_path / "cli")]) == 0
    api, cli = tmp_path / "api" / "new", tmp_path / "cli"
    assert sorted(p.name for p in api.iterdir()) == sorted(p.name for p in cli.iterdir())
    for same in ("results.csv", "report.md"):
        assert (api / same).read_text() == (cli / same).read_text(), same
    assert harness.Results.from_dict(
        __import__("json").loads((api / "results.json").read_text())).rows == results.rows


def test_without_output_nothing_is_written(tmp_path, monkeypatch, registry):
    monkeypatch.chdir(tmp_path)
    harness.run([POLYSEMY], ["fake"], registry=registry, cache=False)
    harness.geometry(["fake"], registry=registry, cache=False)
    assert list(tmp_path.iterdir()) == []


def test_the_studies_write_their_files_given_output(tmp_path, registry):
    from tests.helpers import WIC_DATA as DATA
    from tests.helpers import WIC_GOLD as GOLD

    (tmp_path / "d.txt").write_text(DATA)
    (tmp_path / "g.txt").write_text(GOLD)
    harness.evaluate_wic(tmp_path / "d.txt", tmp_path / "g.txt", ["fake"], registry=registry,
                         cache=False, output=tmp_path / "wic")
    harness.geometry("fake", registry=registry, cache=False, output=tmp_path / "geometry")
    senses = tmp_path / "s.tsv"
    senses.write_text("sense\ttext\tword\n" + "".join(
        f"{s}\tA {w} by the bank {n}.\tbank\n" for s, w in (("river", "shore"), ("money", "loan"))
        for n in range(3)))
    harness.senses("fake", file=senses, registry=registry, cache=False,
                   output=tmp_path / "senses")
    listing = {d: sorted(p.name for p in (tmp_path / d).iterdir())
               for d in ("wic", "geometry", "senses")}
    assert listing == {"wic": ["wic-pairs.csv", "wic.json", "wic.md"],
                       "geometry": ["geometry.csv", "geometry.md", "geometry.png"],
                       "senses": ["senses.csv", "senses.html", "senses.png"]}


def test_the_api_sweep_writes_the_sweep_and_the_run_reports(tmp_path, tiny_bert):
    harness.sweep([POLYSEMY], [f"hf:model={tiny_bert},layers=-1"], cache=False,
                  output=tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"sweep.csv", "sweep.md", "sweep.png", "results.json", "report.md"} <= names


@pytest.mark.parametrize("output, error", [(3, TypeError), ("", TypeError), ("a-file", ValueError)])
def test_a_bad_output_is_refused_before_the_work(tmp_path, monkeypatch, registry, output, error):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(error, match="output"):
        harness.run([POLYSEMY], ["fake"], registry=registry, cache=False, output=output)


def test_the_api_functions_share_one_run_context(monkeypatch, registry):
    """Each function that embeds builds one RunContext from its keyword arguments and hands it
    to the study: the registry, the cache, the executor and the progress bars it asked for."""
    from harness.pipeline.context import RunContext
    from harness.pipeline.executors import LocalExecutor
    from harness.studies import layer_geometry

    seen = []
    monkeypatch.setattr(layer_geometry, "measure",
                        lambda backends, context: seen.append(context) or [])
    executor = LocalExecutor()
    harness.geometry("fake", registry=registry, cache=False, executor=executor,
                     progress=False)
    [context] = seen
    assert isinstance(context, RunContext)
    assert (context.registry, context.cache, context.executor, context.progress,
            context.output) == (registry, None, executor, None, None)
