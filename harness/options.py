"""Backend options: a declared default, help text, how to read the value from a CLI string, and
whether it changes the vectors (then it is part of the backend's fingerprint)."""

from __future__ import annotations

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
    if not parts:
        raise ValueError("expected one or more integers, like -4,-3,-2,-1")
    return tuple(int(p) for p in parts)


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
        if isinstance(value, str) and self.parse is not str:
            try:
                value = self.parse(value)
            except ValueError as exc:
                raise OptionError(f"option {name}={value!r}: {exc}") from None
        if isinstance(value, list):
            value = tuple(value)
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise OptionError(f"option {name}={value!r}: must be one of {allowed}")
        return value
