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
    from tests.test_wic import DATA, GOLD
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
