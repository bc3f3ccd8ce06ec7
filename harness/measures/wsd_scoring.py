"""Word-sense disambiguation by nearest neighbours, and Raganato et al.'s scorer.

`predict_centroid`: each candidate sense's centroid is the mean of its training contexts' unit
vectors; a test context is labelled with the candidate of highest cosine to its centroid (1-NN
to centroids, as LMMS does; cosine is scale-invariant, so the mean is not normalised).
`predict_knn`: the k training contexts of highest cosine vote; most votes wins, a tie in votes
goes to the higher summed cosine, then to the sense first in `senses`. Cosines within
TIE_TOLERANCE (harness/measures/orderings.py) of each other are equal: a tie, broken by the
order of `senses` and said.

`score`: Raganato et al.'s unified framework: precision = correct / answered, recall =
correct / total, F1 = 2PR / (P + R); an answer is correct when it is one of the gold senses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.measures.orderings import TIE_TOLERANCE
from harness.measures.vectors import similarity as similarity_of


@dataclass(frozen=True)
class Prediction:
    """A test context's answer: the sense, whether it was a tie, its cosine and its margin
    over the runner-up (None where there is no runner-up)."""

    sense: str
    tie: bool
    cosine: float
    margin: float | None


def predict_centroid(vector: np.ndarray, senses: Sequence[str],
                     train: dict[str, list[np.ndarray]],
                     similarity: str = "cosine") -> Prediction | None:
    """1-NN to the centroids of the senses that have training vectors (unit rows for cosine,
    the vectors for another `similarity`); None when no candidate has one."""
    scored = []
    for sense in senses:
        if train.get(sense):
            centroid = np.mean(np.asarray(train[sense], dtype=np.float64), axis=0)
            if similarity != "cosine":
                scored.append((sense, similarity_of(vector, centroid, similarity)))
                continue
            norm = float(np.linalg.norm(centroid))
            scored.append((sense, float(vector @ centroid) / norm if norm else 0.0))
    if not scored:
        return None
    best = max(c for _, c in scored)
    tied = [s for s, c in scored if c >= best - TIE_TOLERANCE]
    sense = tied[0]  # `scored` follows `senses`
    cosine = dict(scored)[sense]
    others = [c for s, c in scored if s != sense]
    return Prediction(sense, len(tied) > 1, cosine, cosine - max(others) if others else None)


def predict_knn(vector: np.ndarray, senses: Sequence[str], train: dict[str, list[np.ndarray]],
                k: int, similarity: str = "cosine") -> Prediction | None:
    """A majority vote of the k training vectors of highest cosine (ties in votes: the summed
    cosine, then the order of `senses`); cosine and margin are those of the best neighbour of
    the predicted sense over the best neighbour of another sense among the k."""
    pool = [(float(vector @ v) if similarity == "cosine" else similarity_of(vector, v, similarity),
             senses.index(s), s) for s in senses for v in train.get(s, [])]
    if not pool:
        return None
    pool.sort(key=lambda x: (-x[0], x[1]))
    near = pool[:k]
    votes: dict[str, list[float]] = {}
    for cos, _, sense in near:
        votes.setdefault(sense, []).append(cos)
    ranked = sorted(votes, key=lambda s: (-len(votes[s]), -sum(votes[s]), senses.index(s)))
    sense = ranked[0]
    tie = len(ranked) > 1 and len(votes[ranked[1]]) == len(votes[sense]) and abs(
        sum(votes[ranked[1]]) - sum(votes[sense])) <= TIE_TOLERANCE
    others = [max(votes[s]) for s in ranked[1:]]
    best = max(votes[sense])
    return Prediction(sense, tie, best, best - max(others) if others else None)


def most_frequent(senses: Sequence[str], train: Iterable[str]) -> str:
    """The most frequent sense of the training contexts (ties: the first in `senses`)."""
    counts = {s: 0 for s in senses}
    for sense in train:
        counts[sense] += 1
    return max(senses, key=lambda s: (counts[s], -senses.index(s)))


@dataclass(frozen=True)
class Scores:
    """Raganato's precision, recall and F1 over `total` test contexts, `answered` of them
    answered and `correct` of those right (None where undefined: nothing answered)."""

    correct: int
    answered: int
    total: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.total if self.total else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def score(answers: Iterable[tuple[str | None, Iterable[str]]]) -> Scores:
    """Raganato's scorer over (answer or None when unanswered, gold senses) pairs."""
    correct = answered = total = 0
    for answer, gold in answers:
        total += 1
        if answer is not None:
            answered += 1
            correct += answer in set(gold)
    return Scores(correct, answered, total)
