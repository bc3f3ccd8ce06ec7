"""Backend options: a declared default, help text, how to read the value from a CLI string, and
whether it changes the vectors (then it is part of the backend's fingerprint)."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.errors import OptionError


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def parse_int_list(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        if parts:
            return tuple(int(p) for p in parts)
    except ValueError:
        pass
    raise ValueError("expected one or more integers, like -4,-3,-2,-1")


def positive_int(text: str) -> int:
    """An integer of at least 1."""
    value = _int(text)
    if value < 1:
        raise ValueError("must be a whole number of at least 1")
    return value


def non_negative_int(text: str) -> int:
    """An integer of at least 0."""
    value = _int(text)
    if value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("expected a whole number") from None


@dataclass(frozen=True)
class Option:
    """A backend option: its default, help text, how to read it from a CLI string, and whether
    it changes the vectors (then it is part of the fingerprint; batch_size and device are not)."""

    default: Any
    help: str
    parse: Callable[[str], Any] = str
    choices: tuple[Any, ...] | None = None
    affects_vectors: bool = True

    def coerce(self, name: str, value: Any) -> Any:
        """The value read: a CLI string, and any scalar from the Python API (an int, a float, a
        bool, a numpy number) or list of them, through `parse` as its text, so that the
        parser's type and bounds hold whatever type it arrives as; an OptionError naming the
        option otherwise. An option without a parser (parse=str) takes a value as given."""
        if self.parse is not str:
            value = self._parsed(name, value)
        if isinstance(value, list):
            value = tuple(value)
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise OptionError(f"option {name}={value!r}: must be one of {allowed}")
        return value

    def _parsed(self, name: str, value: Any) -> Any:
        if value is None:
            if self.default is None:
                return None
            raise OptionError(f"option {name}=None: give a value, or leave the option out for "
                              f"its default ({self.default!r})")
        if isinstance(value, list | tuple) and all(map(_scalar, value)):
            text = ",".join(map(str, value))
        elif _scalar(value):
            text = str(value)
        else:
            return value
        try:
            return self.parse(text)
        except ValueError as exc:
            raise OptionError(f"option {name}={text!r}: {exc}") from None


def _scalar(value: Any) -> bool:
    """A string, a number or a bool, numpy's included."""
    return isinstance(value, str | numbers.Number) or getattr(value, "ndim", None) == 0


def parse_postprocess(text: str) -> str:
    """none, center, standardize or abtt:D (D a whole number of at least 1)."""
    value = text.strip().lower()
    if value in ("none", "center", "standardize"):
        return value
    kind, _, count = value.partition(":")
    if kind == "abtt" and count.isdigit() and int(count) >= 1:
        return f"abtt:{int(count)}"
    raise ValueError("use none, center, standardize or abtt:D (D principal components to "
                     "remove, like abtt:3)")


SIMILARITIES = ("cosine", "dot", "euclidean", "manhattan", "spearman", "model")


def parse_similarity(text: str) -> str:
    """cosine, dot, euclidean, manhattan, spearman or model (the model folder's own)."""
    value = text.strip().lower()
    if value in SIMILARITIES:
        return value
    raise ValueError(f"use one of {', '.join(SIMILARITIES)}")


def parse_dim(text: str) -> str | int:
    """full, or a whole number of at least 1: the first N components of each vector."""
    value = text.strip().lower()
    if value == "full":
        return value
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise ValueError("use full or a whole number of at least 1 (the first N components)")
