"""A backend's prepared vectors as the measures read them: rows of unit length and the cosines
of their rows (orderings, WiC), the cosine of two vectors (graded pairs, a plugin's measure),
and `TestVectors`, what a measure scores a test from (a vector by item, or why there is none).

Two formulas, on purpose: a cosine from unit rows (divide, then multiply) and from two vectors
(multiply, then divide) differ in the last bits, and where a context-free backend gives two
equal vectors that decides a tie (WiC's ROC-AUC, a graded test's ranks): each kind keeps the
one its results have always been computed with.

Every similarity goes through `similarity` (two vectors), `row_similarities` (pairs of rows) or
`pair`/`matrix` (rows prepared by `rows_for`), which take the similarity's name (the core
option `similarity`): at `cosine` (the default) each runs exactly the code it always ran; `dot`
is the dot product, `euclidean` and `manhattan` the negated distances (larger is closer),
`spearman` Spearman's rho between the two vectors' components (average ranks for ties; Timkey
and van Schijndel 2021's remedy for rogue dimensions)."""

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


def ranks(vector: np.ndarray) -> np.ndarray:
    """The ranks of the components (1 for the smallest), the average rank for ties."""
    vector = np.asarray(vector, dtype=np.float64)
    order = np.argsort(vector, kind="mergesort")
    ordered = vector[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.r_[first[1:], len(vector)] - 1
    out = np.empty(len(vector))
    out[order] = (first[group] + last[group]) / 2 + 1
    return out


def similarity(a: np.ndarray, b: np.ndarray, name: str = "cosine") -> float:
    """The similarity `name` of two vectors in float64; NaN where it is undefined (a vector
    with values that are not finite; no direction, for cosine; constant, for spearman)."""
    if name == "cosine":
        return cosine(a, b)
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("nan")
    if name == "dot":
        return float(a @ b)
    if name == "euclidean":
        return -float(np.linalg.norm(a - b))
    if name == "manhattan":
        return -float(np.abs(a - b).sum())
    if name == "spearman":
        return cosine(ranks(a) - (len(a) + 1) / 2, ranks(b) - (len(b) + 1) / 2)
    raise ValueError(f"similarity={name}: unknown (cosine, dot, euclidean, manhattan or "
                     "spearman)")


def rows_for(vectors: np.ndarray, name: str = "cosine") -> np.ndarray:
    """What `pair` and `matrix` read: unit rows for cosine (as always), float64 rows else."""
    if name == "cosine":
        return unit_rows(vectors)[0]
    return np.asarray(vectors, dtype=np.float64)


def pair(rows: np.ndarray, i: int, j: int, name: str = "cosine") -> float:
    """The similarity of rows i and j of `rows_for`'s rows."""
    if name == "cosine":
        return float(np.dot(rows[i], rows[j]))
    return similarity(rows[i], rows[j], name)


def matrix(rows: np.ndarray, name: str = "cosine") -> np.ndarray:
    """The similarity of every two of `rows` (rows of `rows_for`)."""
    if name == "cosine":
        return rows @ rows.T
    n = len(rows)
    return np.array([[similarity(rows[i], rows[j], name) for j in range(n)] for i in range(n)])


def row_similarities(vectors: np.ndarray, a: np.ndarray, b: np.ndarray,
                     name: str = "cosine") -> np.ndarray:
    """`row_cosines` for any similarity: of rows a[i] and b[i] of `vectors`, for each i."""
    if name == "cosine":
        return row_cosines(vectors, a, b)
    vectors = np.asarray(vectors, dtype=np.float64)
    return np.array([similarity(vectors[i], vectors[j], name) for i, j in zip(a, b)])


class TestVectors:
    """The vectors of one backend for the items of a run, as a measure reads them: `vector`
    (float64) or `why_missing`, by item; `cosine` of two items (None when either has none);
    `unit`, every row at unit length. With the backend's baseline, `baseline_sd` (the standard
    deviation of its cosines of unrelated pairs) and `weak_below` (a pass by fewer of them is
    weak)."""

    __test__ = False  # not a pytest class

    def __init__(self, index: Mapping[Item, int], vectors: np.ndarray,
                 missing: Mapping[int, str], baseline_sd: float | None = None,
                 weak_below: float = 0.5, similarity: str = "cosine"):
        self.index, self.vectors, self.missing = index, vectors, missing
        self.baseline_sd, self.weak_below = baseline_sd, weak_below
        self.similarity = similarity
        self._unit: np.ndarray | None = None
        self._rows: np.ndarray | None = None

    @property
    def rows(self) -> np.ndarray:
        """The rows `pair` and `matrix` read for this similarity (unit rows for cosine)."""
        if self.similarity == "cosine":
            return self.unit
        if self._rows is None:
            self._rows = rows_for(self.vectors, self.similarity)
        return self._rows

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
        """The similarity (cosine by default) of two items' vectors; None when either has no
        vector or it is undefined (no direction)."""
        va, vb = self.vector(a), self.vector(b)
        if va is None or vb is None:
            return None
        value = similarity(va, vb, self.similarity)
        return None if np.isnan(value) else value
