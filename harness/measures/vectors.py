"""A backend's prepared vectors as the measures read them: rows of unit length and the cosines
of their rows (orderings, WiC), the cosine of two vectors (graded pairs, a plugin's measure),
and `TestVectors`, what a measure scores a test from (a vector by item, or why there is none).

Two formulas, on purpose: a cosine from unit rows (divide, then multiply) and from two vectors
(multiply, then divide) differ in the last bits, and where a context-free backend gives two
equal vectors that decides a tie (WiC's ROC-AUC, a graded test's ranks): each kind keeps the
one its results have always been computed with."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from harness.backend import Item


def unit_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows scaled to unit length in float64, and a mask of rows that have no direction
    (NaN from the backend, or all zeros)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    bad = ~np.isfinite(norms) | (norms == 0)
    safe = np.where(bad, 1.0, norms)
    return vectors / safe[:, None], bad


def row_cosines(vectors: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cosine of rows `a[i]` and `b[i]` of `vectors`, for each i, from unit rows (a row
    without a direction gives NaN, or 0 when it is all zeros), as orderings and WiC read them.
    It is not `cosine` bit for bit (the division comes first): two equal vectors give exactly
    what the expectations and WiC's thresholds and ROC-AUC have always been computed from."""
    unit = unit_rows(vectors)[0]
    return np.einsum("ij,ij->i", unit[a], unit[b])


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine similarity of two vectors, in float64 (NaN if either has no direction): the
    cosine of graded pairs and of a plugin measure's `TestVectors`."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    if not norms or not math.isfinite(norms):
        return float("nan")
    return float(a @ b) / norms


class TestVectors:
    """The vectors of one backend for the items of a run, as a measure reads them: `vector`
    (float64) or `why_missing`, by item; `cosine` of two items (None when either has none);
    `unit`, every row at unit length. With the backend's baseline, `baseline_sd` (the standard
    deviation of its cosines of unrelated pairs) and `weak_below` (a pass by fewer of them is
    weak)."""

    __test__ = False  # not a pytest class

    def __init__(self, index: Mapping[Item, int], vectors: np.ndarray,
                 missing: Mapping[int, str], baseline_sd: float | None = None,
                 weak_below: float = 0.5):
        self.index, self.vectors, self.missing = index, vectors, missing
        self.baseline_sd, self.weak_below = baseline_sd, weak_below
        self._unit: np.ndarray | None = None

    @property
    def unit(self) -> np.ndarray:
        """Every row scaled to unit length (float64), computed once."""
        if self._unit is None:
            self._unit = unit_rows(self.vectors)[0]
        return self._unit

    def why_missing(self, item: Item) -> str | None:
        """Why the backend has no vector for `item` (None: it has one)."""
        return self.missing.get(self.index[item])

    def vector(self, item: Item) -> np.ndarray | None:
        """The item's vector in float64, or None when it has none."""
        row = self.index[item]
        return None if row in self.missing else np.asarray(self.vectors[row], dtype=np.float64)

    def cosine(self, a: Item, b: Item) -> float | None:
        """The cosine of two items' vectors; None when either has no vector or no direction."""
        va, vb = self.vector(a), self.vector(b)
        if va is None or vb is None:
            return None
        value = cosine(va, vb)
        return None if np.isnan(value) else value
