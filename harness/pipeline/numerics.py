"""The geometry of a backend's vectors on the reference sample, and what it is used for.

- The baseline: the mean and standard deviation (ddof 0) of the cosine over all pairs of
  reference items whose target words differ (compared lower-cased). Contextual vectors sit in a
  narrow cone, so any two words look similar (Ethayarajh 2019): a margin means something only
  against how much unrelated pairs vary, hence `margin_sd = margin / baseline_sd`.
- Post-processing, fitted on the reference vectors: `center` (subtract their mean),
  `standardize` (and divide each dimension by its standard deviation, ddof 0; a dimension that
  does not vary is left centred), `abtt:D` (center, then remove the projections on the top D
  principal components of the centred reference vectors: "all-but-the-top", Mu & Viswanath 2018;
  it is the centred vector's projection that is removed, as implementations commonly read the
  paper's Algorithm 1, whose formula writes the raw vector there).
- Rogue dimensions (Timkey & van Schijndel 2021): dimension i's contribution to the expected
  cosine between random contexts, E[u_i v_i / (|u| |v|)] over the baseline's pairs (reference
  items whose words differ); the contributions sum to the baseline, and a dimension's share is
  its contribution over the sum of their absolute values (their sum, where all are positive).
  `top_shares`: the share of the k largest.
- Ethayarajh's measures per layer: self-similarity (the mean pairwise cosine among a word's
  occurrences in different sentences, over words with at least five), intra-sentence similarity
  (the mean cosine between each word of a sentence and the sentence's mean vector) and MEV (the
  share of a word's occurrence matrix's variance its first singular vector explains, uncentred as
  in the paper), each also adjusted for anisotropy: the first two less the baseline, MEV less the
  MEV of the whole reference sample (words in unrelated contexts).

numpy only; principal components come from numpy's SVD."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_OCCURRENCES = 5  # a word needs this many sentences for self-similarity and MEV


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float64); a row of zeros stays zeros."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class Transform:
    """A fitted post-processing: subtract `mean`, divide by `scale`, remove the projections on
    `components` (rows of unit length). None: that step is not done."""

    kind: str
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    components: np.ndarray | None = None

    @classmethod
    def fit(cls, kind: str, reference: np.ndarray) -> Transform:
        """Fit `kind` on the reference vectors (rows without a vector left out)."""
        if kind == "none":
            return cls(kind)
        reference = np.asarray(reference, dtype=np.float64)
        reference = reference[np.isfinite(reference).all(axis=1)]
        mean = reference.mean(axis=0)
        if kind == "center":
            return cls(kind, mean)
        if kind == "standardize":
            sd = reference.std(axis=0)
            return cls(kind, mean, np.where(sd == 0, 1.0, sd))
        count = int(kind.split(":")[1])
        if count >= min(reference.shape):
            raise ValueError(f"postprocess={kind}: the vectors have {reference.shape[1]} "
                             f"dimensions and {len(reference)} reference rows; remove fewer "
                             "components than either")
        _, _, rows = np.linalg.svd(reference - mean, full_matrices=False)
        return cls(kind, mean, None, rows[:count])

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        out = np.asarray(vectors, dtype=np.float64)
        if self.mean is not None:
            out = out - self.mean
        if self.scale is not None:
            out = out / self.scale
        if self.components is not None:
            out = out - (out @ self.components.T) @ self.components
        return out

    def to_dict(self) -> dict:
        parts = {"mean": self.mean, "scale": self.scale, "components": self.components}
        return {"kind": self.kind, **{name: None if value is None else value.tolist()
                                      for name, value in parts.items()}}

    @classmethod
    def from_dict(cls, data: dict, width: int | None = None) -> Transform:
        """A Transform of `to_dict`; a ValueError unless it holds the arrays its kind needs
        (with `width`, fitting vectors of that width): a damaged record must not shift vectors
        silently."""
        kind = data["kind"]
        if not isinstance(kind, str):
            raise ValueError(f"a recorded post-processing kind {kind!r} that is not text")
        out = cls(kind, *(None if data[k] is None else np.asarray(data[k], dtype=float)
                          for k in ("mean", "scale", "components")))
        count = int(kind.split(":")[1]) if kind.startswith("abtt:") else 0
        needs = {"mean": (width,) if kind != "none" else None,
                 "scale": (width,) if kind == "standardize" else None,
                 "components": (count, width) if count else None}
        for name, shape in needs.items():
            value = getattr(out, name)
            if (value is None) != (shape is None) or value is not None and (
                    value.ndim != len(shape) or any(n is not None and n != m
                                                    for n, m in zip(shape, value.shape))):
                raise ValueError(f"postprocess={kind}: a recorded {name} of the wrong shape"
                                 + (f" for vectors of {width}" if width else ""))
        return out


def classical_mds(similarity: np.ndarray, dimensions: int = 2) -> np.ndarray:
    """Points whose inner products best match the double-centred cosine matrix (classical
    MDS): for the cosines of unit vectors, the same picture as their first principal
    components (up to the sign of each axis)."""
    s = np.asarray(similarity, dtype=np.float64)
    centred = s - s.mean(axis=0) - s.mean(axis=1)[:, None] + s.mean()
    values, vectors = np.linalg.eigh(centred)
    top = np.argsort(values)[::-1][:dimensions]
    return vectors[:, top] * np.sqrt(np.clip(values[top], 0, None))


def pairwise(vectors: np.ndarray, name: str) -> np.ndarray:
    """The similarity `name` (cosine, dot, euclidean, manhattan or spearman, as
    harness.measures.vectors.similarity defines them) of every two rows, vectorised."""
    v = np.asarray(vectors, dtype=np.float64)
    if name == "cosine":
        u = unit(v)
        return u @ u.T
    if name == "dot":
        return v @ v.T
    if name == "spearman":
        ranked = np.apply_along_axis(_ranks, 1, v)
        u = unit(ranked - ranked.mean(axis=1, keepdims=True))
        return u @ u.T
    if name in ("euclidean", "manhattan"):
        out = np.empty((len(v), len(v)))
        for start in range(0, len(v), 16):  # a block of rows at a time: bounded memory
            diff = v[start:start + 16, None, :] - v[None, :, :]
            out[start:start + 16] = -(np.sqrt((diff ** 2).sum(axis=2)) if name == "euclidean"
                                      else np.abs(diff).sum(axis=2))
        return out
    raise ValueError(f"similarity={name}: unknown")


def _ranks(vector: np.ndarray) -> np.ndarray:
    from harness.measures.vectors import ranks
    return ranks(vector)


def baseline(vectors: np.ndarray, words: Sequence[str],
             similarity: str = "cosine") -> tuple[float, float, int]:
    """Mean and standard deviation (ddof 0) of the similarity (cosine by default) over all
    pairs of rows whose words differ (lower-cased), and how many pairs; rows without a vector
    are left out."""
    keep = np.isfinite(vectors).all(axis=1)
    ids = np.unique([w.lower() for w, k in zip(words, keep) if k], return_inverse=True)[1]
    upper = np.triu(np.ones((len(ids), len(ids)), dtype=bool), k=1) & (ids[:, None] != ids[None, :])
    if similarity == "cosine":  # exactly as before
        u = unit(np.asarray(vectors)[keep])
        cosines = (u @ u.T)[upper]
    else:
        cosines = pairwise(np.asarray(vectors)[keep], similarity)[upper]
    return float(cosines.mean()), float(cosines.std()), int(len(cosines))


def dimension_contributions(vectors: np.ndarray, words: Sequence[str]) -> np.ndarray:
    """Each dimension's contribution to the baseline's mean cosine: the mean of u_i v_i over
    the pairs of unit rows whose words differ (lower-cased); rows without a vector left out.
    Computed from sums per word (no pair matrix): the pairs of all rows less those within a
    word."""
    keep = np.isfinite(vectors).all(axis=1)
    u = unit(np.asarray(vectors)[keep])
    ids = np.unique([w.lower() for w, k in zip(words, keep) if k], return_inverse=True)[1]
    within = np.zeros_like(u[:1]).ravel()
    same_pairs = 0
    for word in range(int(ids.max()) + 1 if len(ids) else 0):
        rows = u[ids == word]
        within += rows.sum(axis=0) ** 2 - (rows**2).sum(axis=0)
        same_pairs += len(rows) * (len(rows) - 1) // 2
    total = u.sum(axis=0) ** 2 - (u**2).sum(axis=0)
    pairs = len(u) * (len(u) - 1) // 2 - same_pairs
    return (total - within) / 2 / pairs if pairs else np.full(u.shape[1], np.nan)


def top_shares(contributions: np.ndarray, counts: Sequence[int] = (1, 3, 10)) -> list[float]:
    """The share of the k dimensions that contribute most (in absolute value), for each k in
    `counts`: their |contribution| over the sum of every dimension's. Where every
    contribution is positive (an anisotropic space, the raw vectors of most models) that is
    their share of the expected cosine; after centring, the expected cosine is near 0 and the
    absolute values keep the share meaningful."""
    size = np.abs(contributions)
    total = float(size.sum())
    ordered = np.sort(size)[::-1]
    return [float(ordered[:k].sum()) / total if total else float("nan") for k in counts]


def dimension_shares(contributions: np.ndarray) -> np.ndarray:
    """Each dimension's contribution over the sum of their absolute values (see
    `top_shares`)."""
    total = float(np.abs(contributions).sum())
    return contributions / total if total else np.full(len(contributions), np.nan)


def _groups(words: Sequence[str], keep: np.ndarray) -> list[np.ndarray]:
    """Rows of each word with a vector in at least MIN_OCCURRENCES of them."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, word in enumerate(words):
        if keep[i]:
            rows[word.lower()].append(i)
    return [np.array(r) for r in rows.values() if len(r) >= MIN_OCCURRENCES]


def self_similarity(vectors: np.ndarray, words: Sequence[str]) -> float:
    """Ethayarajh's self-similarity: the mean cosine between a word's occurrences (pairs of
    different rows), averaged over words with at least MIN_OCCURRENCES."""
    keep = np.isfinite(vectors).all(axis=1)
    values = []
    for rows in _groups(words, keep):
        u = unit(vectors[rows])
        n, cosines = len(rows), u @ u.T
        values.append((cosines.sum() - np.trace(cosines)) / (n * n - n))
    return float(np.mean(values)) if values else float("nan")


def explained_by_first(vectors: np.ndarray) -> float:
    """The share of the (uncentred) matrix's variance its first singular vector explains."""
    singular = np.linalg.svd(np.asarray(vectors, dtype=np.float64), compute_uv=False)
    return float(singular[0] ** 2 / (singular**2).sum())


def mev(vectors: np.ndarray, words: Sequence[str]) -> float:
    """Ethayarajh's maximum explainable variance, averaged over words with at least
    MIN_OCCURRENCES occurrences."""
    keep = np.isfinite(vectors).all(axis=1)
    values = [explained_by_first(vectors[rows]) for rows in _groups(words, keep)]
    return float(np.mean(values)) if values else float("nan")


def intra_sentence_similarity(vectors: np.ndarray, sentences: Sequence[int]) -> float:
    """Ethayarajh's intra-sentence similarity: the mean cosine between each word's vector and
    its sentence's mean vector, averaged over sentences (rows are words; `sentences` says whose
    sentence each row is)."""
    keep = np.isfinite(vectors).all(axis=1)
    by_sentence: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sentences):
        if keep[i]:
            by_sentence[s].append(i)
    values = []
    for rows in by_sentence.values():
        words = np.asarray(vectors[rows], dtype=np.float64)
        centre = unit(words.mean(axis=0, keepdims=True))[0]
        values.append(float((unit(words) @ centre).mean()))
    return float(np.mean(values)) if values else float("nan")
