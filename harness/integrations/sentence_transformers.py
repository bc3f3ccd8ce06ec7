"""sentence-transformers in memory: a `SentenceTransformer` object as a backend, and
`SuiteEvaluator`, an evaluator its trainer calls every few steps.

    >>> from harness.integrations.sentence_transformers import SuiteEvaluator
    >>> evaluator = SuiteEvaluator(["suites/polysemy.yaml"], name="polysemy")
    >>> trainer = SentenceTransformerTrainer(model=model, ..., evaluator=evaluator)

`harness.run(suites, [model])` wraps a SentenceTransformer the same way (`wrap`). The model is
never written to disk: word vectors come from its transformer's hidden states (the `hf`
backend's pooling options: `layers`, `layer_pool`, `subword_pool`), whole sentences from its
own modules after the transformer (pooling, dense, normalize), as `encode` computes them. Its
weights change between calls, so neither the embedding cache nor the calibration cache is used
for it (`cacheable = False`).

sentence-transformers and torch are imported on first use; `SuiteEvaluator` is a subclass of
sentence-transformers' `SentenceEvaluator`, made when it is first looked up here.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.backend import AVAILABLE, Availability, Backend
from harness.backend.transformer import TRANSFORMER_OPTIONS, LoadedModel, TransformerBackend
from harness.suites.model import Suite
from harness.suites.named import load

# SuiteEvaluator is made on first look-up (module __getattr__, below)
__all__ = ["SentenceTransformerBackend", "SuiteEvaluator",  # noqa: F822
           "is_sentence_transformer", "suite_metrics", "wrap"]


def is_sentence_transformer(model: object) -> bool:
    """Whether `model` is a sentence_transformers SentenceTransformer (checked without
    importing sentence-transformers)."""
    return any(c.__name__ == "SentenceTransformer"
               and c.__module__.startswith("sentence_transformers")
               for c in type(model).__mro__)


class SentenceTransformerBackend(TransformerBackend):
    """A SentenceTransformer object in memory as a backend (never cached: its weights change
    between calls). `device` is the model's own: the option is not taken."""

    plugin = "sentence-transformers"
    description = "a sentence-transformers model in memory (harness.integrations)"
    OPTIONS = {k: v for k, v in TRANSFORMER_OPTIONS.items() if k != "device"}
    cacheable = False

    def __init__(self, model: Any, name: str = "model", options: dict | None = None):
        if not is_sentence_transformer(model):
            raise TypeError(f"expected a sentence_transformers.SentenceTransformer; got "
                            f"{type(model).__name__}")
        super().__init__(name, options)
        self.model = model

    def availability(self) -> Availability:
        return AVAILABLE

    def weights_id(self) -> str:
        """Names the object, not its weights (which change in place): never a cache key."""
        return f"in-memory:{type(self.model).__name__}@{id(self.model):x}"

    def versions(self) -> dict[str, str]:
        from harness.backend.packaged import installed_versions

        return installed_versions("torch", "transformers", "sentence-transformers")

    def resources(self) -> dict[str, float]:
        return {"num_cpus": 1, "num_gpus": 0}

    @property
    def _transformer(self) -> Any:
        return self.model[0]

    def load_model(self) -> LoadedModel:
        from harness_backends.hf import position_limit, tokenizer_spec

        module = self._transformer
        auto, tokenizer = module.auto_model, module.tokenizer
        spec = tokenizer_spec(tokenizer)
        states = int(auto.config.num_hidden_layers) + 1
        limit = position_limit(auto, tokenizer)
        sentence = getattr(self.model, "max_seq_length", None)
        return LoadedModel(spec, states, limit, sentence if isinstance(sentence, int) else None,
                           False, {"kind": "encoder", "engine": "in-memory"})

    def _evaluating(self):
        """A context in which the model is in eval mode (dropout off), as `encode` puts it;
        its training mode is restored after."""
        from contextlib import contextmanager

        @contextmanager
        def mode():
            import torch

            was = self.model.training
            self.model.eval()
            try:
                with torch.inference_mode():
                    yield
            finally:
                self.model.train(was)

        return mode()

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> Sequence[Any]:
        import torch

        device = self.model.device
        with self._evaluating():
            out = self._transformer.auto_model(
                input_ids=torch.from_numpy(input_ids).to(device),
                attention_mask=torch.from_numpy(attention_mask).to(device),
                output_hidden_states=True)
            return [h.float().cpu().numpy() for h in out.hidden_states]

    def sentence_vectors(self, hidden, pooled, mask, rows):
        """The model's modules after its transformer on the last hidden state, as `encode`."""
        import torch

        device = self.model.device
        features = {
            "token_embeddings": torch.from_numpy(np.ascontiguousarray(hidden[-1][rows])).to(
                device),
            "attention_mask": torch.from_numpy(np.ascontiguousarray(mask[rows])).to(device),
        }
        with self._evaluating():
            for i in range(1, len(self.model)):
                features = self.model[i](features)
            return features["sentence_embedding"].float().cpu().numpy()


def wrap(model: object, name: str = "model") -> Backend:
    """A backend of a model object: a Backend as it is, a SentenceTransformer wrapped; a
    TypeError otherwise."""
    if isinstance(model, Backend):
        return model
    if is_sentence_transformer(model):
        return SentenceTransformerBackend(model, name)
    raise TypeError(f"not a model this harness can wrap: {type(model).__name__} (give a "
                    "sentence_transformers.SentenceTransformer or a harness.Backend)")


def suite_metrics(results: Any, backend: str) -> dict[str, float]:
    """A run's metrics of one backend, by suite: `SUITE_accuracy` (orderings),
    `SUITE_TEST_spearman` (each graded test's ρ) and `SUITE_KIND_score` (a measure's main
    score: the F1 of `wsd`); metrics that have no value (nothing scored) are left out."""
    out: dict[str, float] = {}
    for row in results.summary_rows:
        if row.backend == backend and row.total and row.accuracy is not None:
            out[f"{row.suite}_accuracy"] = float(row.accuracy)
    for row in results.correlation_rows:
        if row.backend == backend and row.spearman is not None:
            out[f"{row.suite}_{row.test}_spearman"] = float(row.spearman)
    for kind, summaries in results.measure_summaries.items():
        for s in summaries:
            if s.backend == backend and s.score is not None:
                key = "f1" if kind == "wsd" else f"{kind}_score"
                out[f"{s.suite}_{key}"] = float(s.score)
    return out


def _suites(suites: Iterable[str | Path | Suite] | str | Path | Suite) -> list[Suite]:
    if isinstance(suites, str | Path | Suite):
        suites = [suites]
    loaded = [s if isinstance(s, Suite) else load(s) for s in suites]
    if not loaded:
        raise ValueError("SuiteEvaluator: no suites given; name suite files, like "
                         "['suites/polysemy.yaml']")
    return loaded


def _make_evaluator() -> type:
    try:  # sentence-transformers 6 moved it; 3 to 5 have it here
        from sentence_transformers.base.evaluation import SentenceEvaluator
    except ImportError:
        from sentence_transformers.evaluation import SentenceEvaluator

    class SuiteEvaluator(SentenceEvaluator):
        """The harness's suites as a sentence-transformers evaluator: each call scores the
        model in memory (no cache) and returns `{name_}SUITE_accuracy` (orderings),
        `{name_}SUITE_TEST_spearman` (graded tests), `{name_}SUITE_f1` (the wsd measure) and
        `{name_}mean`, the mean of all of them, which is the `primary_metric`. With
        `write_csv`, each call appends a row (epoch, steps, the metrics) to
        `output_path/harness_suites[_NAME]_results.csv`. `layers`, `layer_pool` and
        `subword_pool` are the backend's pooling options for word vectors."""

        def __init__(self, suites, *, name: str = "", write_csv: bool = True,
                     options: dict | None = None, reference: bool = False):
            super().__init__()
            self.suites = _suites(suites)
            self.name = name
            self.write_csv = write_csv
            self.options = dict(options or {})
            self.reference = reference
            self.csv_file = "harness_suites" + (f"_{name}" if name else "") + "_results.csv"
            self.csv_headers = ["epoch", "steps"]
            self.primary_metric = "mean"
            self.greater_is_better = True

        def __call__(self, model, output_path: str | None = None, epoch: int = -1,
                     steps: int = -1) -> dict[str, float]:
            from harness.pipeline.runner import run_suites

            backend = SentenceTransformerBackend(model, self.name or "model", self.options)
            results = run_suites(self.suites, [backend], reference=self.reference)
            failed = results.failed_backends
            if failed:
                raise RuntimeError(f"SuiteEvaluator: the model could not be scored: "
                                   f"{failed[0].error}")
            metrics = suite_metrics(results, backend.name)
            metrics["mean"] = (float(np.mean(list(metrics.values()))) if metrics
                               else float("nan"))
            if output_path is not None and self.write_csv:
                self._append_row(output_path, epoch, steps, metrics)
            self.primary_metric = "mean"
            metrics = self.prefix_name_to_metrics(metrics, self.name)
            self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
            return metrics

        def _append_row(self, output_path: str, epoch: int, steps: int,
                        metrics: dict[str, float]) -> None:
            os.makedirs(output_path, exist_ok=True)
            path = os.path.join(output_path, self.csv_file)
            if len(self.csv_headers) == 2:  # the first call names the columns
                self.csv_headers += list(metrics)
            exists = os.path.isfile(path)
            with open(path, newline="", mode="a" if exists else "w", encoding="utf-8") as f:
                writer = csv.writer(f)
                if not exists:
                    writer.writerow(self.csv_headers)
                writer.writerow([epoch, steps, *(metrics.get(k, "")
                                                 for k in self.csv_headers[2:])])

        @property
        def description(self) -> str:
            return "Harness Suites"

        def get_config_dict(self) -> dict[str, Any]:
            return {"suites": [s.name for s in self.suites]}

    return SuiteEvaluator


def __getattr__(name: str) -> Any:
    """`SuiteEvaluator` is made (and sentence-transformers imported) on first look-up."""
    if name == "SuiteEvaluator":
        made = _make_evaluator()
        made.__module__ = __name__
        globals()[name] = made
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
