"""harness.integrations.sentence_transformers: a SentenceTransformer in memory as a backend,
and SuiteEvaluator as sentence-transformers' trainer calls it. A tiny BERT + mean pooling model
is built here (tests/model_families.py's BERT folder); checked against `harness.run` on the
same model saved to a folder (the hf backend)."""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentence_transformers")

import harness  # noqa: E402
from tests.model_families import build_bert  # noqa: E402

SUITE = """\
suite: tiny
tests:
  - id: mouse
    contexts:
      mouse1: {text: "A mouse is a rodent animal.", word: mouse}
      mouse2: {text: "A mouse is a computer device.", word: mouse}
      rat: {text: "A rat is an animal that lives in the sewers.", word: rat}
      keyboard: {text: "A computer has a keyboard as an input device.", word: keyboard}
    expect:
      - "mouse1: rat > keyboard"
      - "mouse2: keyboard > rat"
      - "rat: mouse1 > mouse2"
  - id: sentences
    contexts:
      s1: {text: "A man plays a guitar."}
      s2: {text: "A man plays music."}
      s3: {text: "The cat sleeps."}
    expect:
      - "s1: s2 > s3"
"""

GRADED = """\
schema: 3
suite: rated
tests:
  - id: sentences
    pairs:
      - {a: {text: "A man plays a guitar."}, b: {text: "A man plays music."}, score: 3.8}
      - {a: {text: "A woman slices an onion."}, b: {text: "A man plays a guitar."}, score: 0.2}
      - {a: {text: "A dog runs in the park."}, b: {text: "A puppy runs on grass."}, score: 3.5}
      - {a: {text: "The cat sleeps."}, b: {text: "Stocks fell today."}, score: 0.0}
  - id: in-context
    pairs:
      - {a: {text: "He sat on the bank of the river.", word: bank}, b: {text: "The river bank was muddy.", word: bank}, score: 9.0}
      - {a: {text: "He sat on the bank of the river.", word: bank}, b: {text: "The bank raised its rates.", word: bank}, score: 1.5}
      - {a: {text: "The bank raised its rates.", word: bank}, b: {text: "She put money in the bank.", word: bank}, score: 8.5}
"""  # noqa: E501

TOLERANCE = 1e-5  # float32 forward passes of one model, in memory and read back from disk


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny BERT + mean pooling SentenceTransformer (untrained), and two suite files."""
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:  # before sentence-transformers 6
        from sentence_transformers import models

    root = tmp_path_factory.mktemp("st")
    folder = build_bert(root / "bert")
    model = SentenceTransformer(modules=[models.Transformer(str(folder), max_seq_length=64),
                                         models.Pooling(32, "mean")], device="cpu")
    (root / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    (root / "rated.yaml").write_text(GRADED, encoding="utf-8")
    return model, [root / "tiny.yaml", root / "rated.yaml"], root


def test_importing_harness_does_not_import_the_integration():
    import subprocess

    code = ("import sys, harness; "
            "print(any(m.startswith(('harness.integrations', 'sentence_transformers')) "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_a_model_in_memory_scores_as_its_saved_folder(tiny, tmp_path):
    model, suites, _ = tiny
    saved = tmp_path / "saved"
    model.save(str(saved))
    memory = harness.run(suites, [model], progress=False, cache=False)
    disk = harness.run(suites, [f"hf:model={saved}"], progress=False, cache=False)
    assert memory.backends["model"].status == "ok", memory.backends["model"].error
    mine, theirs = memory.to_frame(), disk.to_frame()
    np.testing.assert_allclose(mine["margin"], theirs["margin"], atol=TOLERANCE)
    assert list(mine["passed"]) == list(theirs["passed"])
    np.testing.assert_allclose(memory.correlations["spearman"], disk.correlations["spearman"],
                               atol=TOLERANCE)


def test_whole_sentences_are_the_models_own_encode(tiny):
    model, _, _ = tiny
    texts = ["A man plays a guitar.", "The cat sleeps on the warm mat today."]
    got = harness.embed(model, texts)
    np.testing.assert_allclose(got, model.encode(texts), atol=TOLERANCE)


def test_a_model_in_memory_uses_no_cache(tiny, tmp_path):
    from harness.pipeline.embedding_cache import EmbeddingCache

    model, suites, _ = tiny
    cache = EmbeddingCache(tmp_path / "cache")
    harness.run(suites, [model], progress=False, cache=cache)
    assert cache.info().entries == 0


def test_the_evaluator_returns_prefixed_metrics_and_appends_a_row(tiny, tmp_path):
    from harness.integrations.sentence_transformers import SuiteEvaluator
    try:
        from sentence_transformers.base.evaluation import SentenceEvaluator
    except ImportError:  # before sentence-transformers 6
        from sentence_transformers.evaluation import SentenceEvaluator

    model, suites, _ = tiny
    evaluator = SuiteEvaluator(suites, name="dev")
    assert isinstance(evaluator, SentenceEvaluator)
    first = evaluator(model, output_path=str(tmp_path), epoch=0, steps=5)
    assert evaluator.primary_metric == "dev_mean"
    assert set(first) == {"dev_tiny_accuracy", "dev_rated_sentences_spearman",
                          "dev_rated_in-context_spearman", "dev_mean"}
    assert first["dev_mean"] == pytest.approx(np.mean([v for k, v in first.items()
                                                       if k != "dev_mean"]))
    reference = harness.run(suites, [model], progress=False, cache=False)
    assert first["dev_tiny_accuracy"] == reference.summary.set_index("suite").loc[
        "tiny", "accuracy"]
    evaluator(model, output_path=str(tmp_path), epoch=1, steps=10)
    with open(tmp_path / "harness_suites_dev_results.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "steps", "tiny_accuracy", "rated_sentences_spearman",
                       "rated_in-context_spearman", "mean"]
    assert [r[:2] for r in rows[1:]] == [["0", "5"], ["1", "10"]]
    assert math.isclose(float(rows[1][-1]), first["dev_mean"], rel_tol=1e-12)


def test_the_evaluator_leaves_the_models_training_mode_as_it_was(tiny):
    from harness.integrations.sentence_transformers import SuiteEvaluator

    model, suites, _ = tiny
    model.train()
    try:
        SuiteEvaluator(suites[:1], write_csv=False)(model)
        assert model.training
    finally:
        model.eval()


def test_two_models_in_memory_are_model_1_and_model_2(tiny):
    model, _, _ = tiny
    assert [b.name for b in harness.get_backends([model, model])] == ["model-1", "model-2"]
    assert [b.name for b in harness.get_backends(model)] == ["model"]


def test_a_model_object_that_cannot_be_wrapped_is_refused():
    from harness.integrations.sentence_transformers import wrap

    with pytest.raises(TypeError, match="SentenceTransformer"):
        wrap(object())


@pytest.mark.slow
def test_the_trainer_calls_the_evaluator_and_its_numbers_are_harness_runs(tiny, tmp_path):
    """SentenceTransformerTrainer, a few steps on a handful of pairs, evaluated every 2 steps;
    a callback saves the model at each evaluation; each CSV row equals harness.run on the
    model saved at that step."""
    Dataset = pytest.importorskip("datasets").Dataset
    pytest.importorskip("accelerate")  # the trainer needs it
    from sentence_transformers import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )
    from transformers import TrainerCallback

    from harness.integrations.sentence_transformers import SuiteEvaluator, suite_metrics

    model, suites, _ = tiny
    pairs = Dataset.from_dict({
        "anchor": ["A mouse is a rodent.", "A keyboard is a device.", "Lean meat.",
                   "The tower leans."] * 2,
        "positive": ["A rat is an animal.", "A computer has keys.", "Greasy steak.",
                     "The cat tilts."] * 2})
    saved: dict[int, Path] = {}

    class SaveAtEvaluation(TrainerCallback):
        def on_evaluate(self, args, state, control, **kwargs):
            saved[state.global_step] = tmp_path / f"step-{state.global_step}"
            model.save(str(saved[state.global_step]))

    out = tmp_path / "out"
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out), max_steps=4, per_device_train_batch_size=4, eval_strategy="steps",
        eval_steps=2, save_strategy="no", report_to=[], learning_rate=1e-3, seed=0,
        use_cpu=True, logging_steps=100)
    evaluator = SuiteEvaluator(suites, name="suites")
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=pairs,
                                         loss=losses.MultipleNegativesRankingLoss(model),
                                         evaluator=evaluator, callbacks=[SaveAtEvaluation()])
    trainer.train()
    found = list(out.rglob(evaluator.csv_file))
    assert len(found) == 1, found
    with open(found[0], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["steps"]) for r in rows] == sorted(saved) == [2, 4]
    for row in rows:
        results = harness.run(suites, [f"hf:model={saved[int(row['steps'])]}"],
                              progress=False, cache=False)
        backend = next(iter(results.backends))
        expected = suite_metrics(results, backend)
        for key, value in expected.items():
            assert float(row[key]) == pytest.approx(value, abs=TOLERANCE), key
