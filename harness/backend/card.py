"""A model card: what a backend says about its model (parameters, width, layers, maximum length,
licence, base model, languages, training data sets), every field optional.

A backend gives one from `Backend.card()` (None: it knows nothing); harness.toml's
`[backends.NAME.meta]` adds or overrides fields per instance (`ModelCard.merged`). results.json
records it as `backends[NAME].card`, only the fields known. `overlap` says which of a suite's
source data sets a card lists among its training data: such a backend is not zero-shot there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["ModelCard", "card_of", "dataset_key", "overlap"]

log = logging.getLogger("harness.backend")

_INTS = ("parameters", "width", "layers", "max_length", "vocabulary")
_TEXTS = ("licence", "base_model", "model_type")
_LISTS = ("languages", "datasets")


@dataclass(frozen=True)
class ModelCard:
    """What is known about a backend's model; None (or empty) where it is not known."""

    parameters: int | None = None  # weights, counted
    width: int | None = None  # the embedding width (hidden size, vector dimensions)
    layers: int | None = None  # hidden layers
    max_length: int | None = None  # the most tokens the model reads at once
    vocabulary: int | None = None  # words (a static backend) or tokens
    licence: str | None = None
    base_model: str | None = None  # what it was fine-tuned from
    model_type: str | None = None  # config.json's model_type (bert, mpnet, ...)
    languages: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()  # what it was trained or tuned on

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "card") -> ModelCard:
        """A card from a mapping (results.json, harness.toml's `meta`): every value checked;
        a ValueError naming `where` and the field otherwise. `license` reads as `licence`."""
        data = dict(data)
        if "license" in data and "licence" not in data:
            data["licence"] = data.pop("license")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r}; a card's fields are: "
                             f"{', '.join(sorted(known))}")
        out: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            if key in _INTS:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{where}: {key} must be a whole number of at least 0; "
                                     f"got {value!r}")
                out[key] = value
            elif key in _TEXTS:
                if not isinstance(value, str):
                    raise ValueError(f"{where}: {key} must be text; got {value!r}")
                out[key] = value
            else:
                values = [value] if isinstance(value, str) else value
                if not isinstance(values, list | tuple) or not all(
                        isinstance(v, str) for v in values):
                    raise ValueError(f"{where}: {key} must be a list of text; got {value!r}")
                out[key] = tuple(values)
        return cls(**out)

    def to_dict(self) -> dict[str, Any]:
        """The fields known, in results.json's form (lists for the tuples)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def merged(self, over: ModelCard) -> ModelCard:
        """This card with every field `over` knows replaced by `over`'s."""
        return ModelCard(**{**{f.name: getattr(self, f.name) for f in fields(self)},
                            **{k: (tuple(v) if isinstance(v, list) else v)
                               for k, v in over.to_dict().items()}})

    def __bool__(self) -> bool:
        return bool(self.to_dict())


def dataset_key(name: str) -> str:
    """A data set's name compared loosely: its last path part (`mteb/stsbenchmark-sts` ->
    `stsbenchmark-sts`), lower case, letters and digits only (`STS-B` -> `stsb`)."""
    return re.sub(r"[^a-z0-9]", "", name.rsplit("/", 1)[-1].lower())


def overlap(trained_on: Sequence[str], sources: Sequence[str]) -> list[str]:
    """The suite's source data sets (`sources`) that a card lists among its training data
    (`trained_on`, its `datasets`), as the suite names them."""
    if not trained_on or not sources:
        return []
    trained = {dataset_key(d) for d in trained_on} - {""}
    return [s for s in sources if dataset_key(s) in trained]


def card_of(backend: Any) -> ModelCard | None:
    """The backend's card (`Backend.card()`) with its instance's `meta` (harness.toml's
    `[backends.NAME.meta]`) over it; None when neither knows anything. A card() that raises
    or returns something else is logged and ignored: a card never fails a run."""
    try:
        card = backend.card()
        if card is not None and not isinstance(card, ModelCard):
            raise TypeError(f"card() returned {type(card).__name__}, not a ModelCard")
    except Exception as exc:  # a card is information only
        log.warning("backend %s: no model card (%s: %s)", backend.name, type(exc).__name__, exc)
        card = None
    meta = getattr(backend, "meta", None)
    if meta:
        card = (card or ModelCard()).merged(meta)
    return card or None
