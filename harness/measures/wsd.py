"""Word-sense disambiguation (suite schema 4, the key `wsd`): a test holds a lemma's candidate
senses, sense-tagged training contexts and test contexts with their gold senses; each test
context is labelled with its nearest sense (harness/measures/wsd_scoring.py) and scored with
Raganato et al.'s precision, recall and F1, beside two baselines: the most frequent sense of
the training contexts and, for WordNet's senses (`wordnet: true`), WordNet's first sense. A
built-in kind on the generic path: its rows and summaries are results.json's
`measures.wsd`. See docs/wsd.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.errors import did_you_mean
from harness.measures.base import FAIL, PASS, UNSCORED, Measure, MeasureSummary
from harness.measures.stats import wilson_interval
from harness.measures.wsd_scoring import most_frequent, predict_centroid, predict_knn, score
from harness.suites.yaml import item_line, key_line

if TYPE_CHECKING:
    from harness.measures.vectors import TestVectors
    from harness.suites.fields import Checker
    from harness.suites.model import LabelledContext, Suite, Test

WSD_KEYS = ("lemma", "pos", "senses", "wordnet", "train", "test", "k")
POS = {"n": "n", "v": "v", "a": "a", "s": "a", "r": "r"}
CONTEXT = ("text", "word", "occurrence", "span")


@dataclass(frozen=True)
class WsdContext:
    id: str
    context: LabelledContext
    senses: tuple[str, ...]  # a training context's sense, a test context's gold senses


@dataclass(frozen=True)
class WsdTest:
    """A `wsd` test as parsed: the lemma, its part of speech (n, v, a, r), its candidate
    senses in order, whether they are WordNet's, and its contexts; `k`: None for 1-NN to the
    centroids, else the k of the kNN vote."""

    lemma: str
    pos: str
    senses: tuple[str, ...]
    wordnet: bool
    train: tuple[WsdContext, ...]
    test: tuple[WsdContext, ...]
    k: int | None = None


@dataclass(frozen=True)
class WsdRow:
    """One test context for one backend. `predicted` None: unanswered (`error` says why)."""

    backend: str
    suite: str
    test: str
    item: str
    lemma: str
    pos: str
    predicted: str | None
    gold: list[str]
    correct: bool
    answered: bool
    tie: bool
    cosine: float | None
    margin: float | None
    mfs_correct: bool = False
    first_sense_correct: bool | None = None  # None: the senses are not WordNet's
    error: str | None = None


@dataclass(frozen=True)
class WsdSummary(MeasureSummary):
    """A backend on a suite: Raganato's P, R, F1 (`score`), per part of speech, the ties, the
    baselines' F1 and a 95% Wilson interval on recall (correct / total)."""

    precision: float | None = None
    recall: float | None = None
    answered: int = 0
    total: int = 0
    ties: int = 0
    per_pos: dict = field(default_factory=dict)
    mfs_f1: float | None = None
    first_sense_f1: float | None = None
    recall_ci: list | None = None


class WsdMeasure(Measure):
    kind = "wsd"
    keys = ("wsd",)
    schema = 4
    title = "Word-sense disambiguation"
    rules = ("Each test context is labelled with the candidate sense whose training centroid "
             "is nearest by cosine (or by a vote of the k nearest training contexts); scored "
             "with Raganato's precision (correct / answered), recall (correct / total) and F1, "
             "beside the most-frequent-sense (MFS) and WordNet first-sense baselines.")
    row_type = WsdRow
    columns = ("item", "predicted", "gold", "cosine", "margin", "result")
    score_name = "F1"
    junit_per_suite = True  # junit.xml: one testcase per backend and suite, on --min-f1
    unanswered_items = True  # the leaderboard keeps unanswered contexts: its score is the F1
    compare_note = ("On the test contexts both backends answered: accuracy with a 95% Wilson "
                    "interval, how many each gets right alone, and the exact McNemar "
                    "(binomial) p-value of those.")

    def parse(self, checker: Checker, data: Mapping, where: str, line: int,
              contexts: Mapping[str, LabelledContext], declared: set[str]) -> Any:
        return parse_wsd(checker, data, where, line)

    def items(self, test: Test):
        for ctx in (*test.data.train, *test.data.test):
            yield ctx.context.item

    def score(self, backend: str, suite: Suite, test: Test, vectors: TestVectors) -> list[Any]:
        return score_test(backend, suite.name, test.id, test.data, vectors)

    def outcome(self, row: Any) -> str:
        return UNSCORED if not row.answered else PASS if row.correct else FAIL

    def main_score(self, rows: Sequence[Any]) -> float | None:
        return score((r.predicted, r.gold) for r in rows).f1

    def summarize(self, backend: str, suite: str, rows: Sequence[Any]) -> WsdSummary:
        return summarize(backend, suite, rows)

    def summary_from_dict(self, data: Mapping[str, Any]) -> WsdSummary:
        names = {f.name for f in fields(WsdSummary)}
        return WsdSummary(**{k: v for k, v in data.items() if k in names})

    def key(self, row: Any) -> tuple:
        return (row.suite, row.test, row.item)

    def case_name(self, row: Any) -> str:
        return f"wsd: {row.test} {row.item}"

    def cells(self, row: Any) -> list[str]:
        result = ("unanswered" + (f" ({row.error})" if row.error else "") if not row.answered
                  else "correct" if row.correct else "WRONG")
        return [row.item, row.predicted or "-", ", ".join(row.gold),
                "" if row.cosine is None else f"{row.cosine:.4f}",
                "" if row.margin is None else f"{row.margin:.4f}",
                result + (" (tie)" if row.tie else "")]

    def to_dict(self, row: Any) -> dict[str, Any]:
        return asdict(row)

    def summary_table(self, summaries: Sequence[Any]) -> tuple[list[str], list[list[str]]]:
        return (["backend", "suite", "F1", "P", "R", "answered", "R 95% CI (Wilson)", "MFS F1",
                 "first-sense F1", "ties", "status"], [summary_cells(s) for s in summaries])

    def tables(self, rows: Sequence[Any]) -> list[tuple[str, list[str], list[list[str]]]]:
        groups: dict[tuple[str, str], list[WsdRow]] = {}
        for row in rows:
            groups.setdefault((row.backend, row.suite), []).append(row)
        tags = [p for p in ("n", "v", "a", "r") if any(r.pos == p for r in rows)]
        per_pos = [[b, s, *(_num(score((r.predicted, r.gold) for r in mine if r.pos == p).f1)
                            for p in tags)] for (b, s), mine in groups.items()]
        confused = [[b, s, gold, predicted, str(n)] for (b, s), mine in groups.items()
                    for gold, predicted, n in confused_pairs(mine)]
        return [table for table in [
            ("F1 per part of speech", ["backend", "suite", *(f"F1 {p}" for p in tags)], per_pos),
            ("Most confused senses (gold -> predicted, top 10)",
             ["backend", "suite", "gold", "predicted", "count"], confused)] if table[2]]


WSD = WsdMeasure()


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def summary_cells(s: Any) -> list[str]:
    """A summary's cells in the reports' wsd table."""
    if s.status != "ok":
        return [s.backend, s.suite, "-", "-", "-", "-", "-", "-", "-", "-",
                f"{s.status}: {s.error}"]
    ci = "-" if not s.recall_ci else f"[{s.recall_ci[0]:.3f}, {s.recall_ci[1]:.3f}]"
    return [s.backend, s.suite, _num(s.score), _num(s.precision), _num(s.recall),
            f"{s.answered}/{s.total}", ci, _num(s.mfs_f1), _num(s.first_sense_f1), str(s.ties),
            "ok"]


def summarize(backend: str, suite: str, rows: Sequence[WsdRow]) -> WsdSummary:
    """Raganato's scores of the rows, per POS, the baselines, the ties and Wilson's interval."""
    main = score((r.predicted, r.gold) for r in rows)
    per_pos = {pos: score((r.predicted, r.gold) for r in rows if r.pos == pos).f1
               for pos in sorted({r.pos for r in rows})}
    mfs = score(("ok" if r.mfs_correct else None, ["ok"]) for r in rows)
    wordnet = [r for r in rows if r.first_sense_correct is not None]
    first = score(("ok" if r.first_sense_correct else None, ["ok"]) for r in wordnet)
    mfs_f1 = mfs.correct / mfs.total if mfs.total else None  # always answered: P = R = F1
    first_f1 = first.correct / first.total if wordnet else None
    ci = list(wilson_interval(main.correct, main.total)) if main.total else None
    return WsdSummary("wsd", backend, suite, len(rows), main.correct,
                      main.total - main.answered, main.f1, precision=main.precision,
                      recall=main.recall, answered=main.answered, total=main.total,
                      ties=sum(r.tie for r in rows), per_pos=per_pos, mfs_f1=mfs_f1,
                      first_sense_f1=first_f1, recall_ci=ci)


def score_test(backend: str, suite: str, test_id: str, wsd: WsdTest,
               vectors: TestVectors) -> list[WsdRow]:
    """The rows of one wsd test: every test context labelled and checked against its gold."""
    train: dict[str, list[np.ndarray]] = {}
    for ctx in wsd.train:
        item = ctx.context.item
        if vectors.why_missing(item) is None:
            train.setdefault(ctx.senses[0], []).append(vectors.rows[vectors.index[item]])
    mfs = most_frequent(wsd.senses, (c.senses[0] for c in wsd.train))
    rows = []
    for ctx in wsd.test:
        item = ctx.context.item
        why = vectors.why_missing(item)
        found = None
        if why is None:
            unit = vectors.rows[vectors.index[item]]  # unit rows for cosine
            found = (predict_centroid(unit, wsd.senses, train, vectors.similarity)
                     if wsd.k is None
                     else predict_knn(unit, wsd.senses, train, wsd.k, vectors.similarity))
            if found is None:
                why = "no training context of a candidate sense has a vector"
        gold = list(ctx.senses)
        rows.append(WsdRow(
            backend, suite, test_id, ctx.id, wsd.lemma, wsd.pos,
            found.sense if found else None, gold, bool(found and found.sense in gold),
            found is not None, bool(found and found.tie), found.cosine if found else None,
            found.margin if found else None, mfs in gold,
            wsd.senses[0] in gold if wsd.wordnet else None, why))
    return rows


def confused_pairs(rows: Sequence[WsdRow], top: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent (gold, predicted) pairs of the wrong answers (the first gold sense)."""
    counts = Counter((r.gold[0], r.predicted) for r in rows if r.answered and not r.correct)
    return [(g, p, n) for (g, p), n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
            ][:top]


# -- reading a suite ---------------------------------------------------------------------------
def parse_wsd(checker: Checker, data: Mapping, where: str, line: int) -> WsdTest | None:
    """The test's `wsd` mapping, every problem named with its line and field."""
    value = data.get("wsd")
    at = key_line(data, "wsd", line)
    if not isinstance(value, Mapping):
        checker.problem(at, f"{where}, field 'wsd'", "must be a mapping with lemma, pos, "
                        "senses, train and test (see docs/wsd.md)")
        return None
    before = len(checker.problems)
    checker.keys(value, WSD_KEYS, at, f"{where}, field 'wsd'")
    lemma = checker.text_field(value, "lemma", f"{where}, field 'wsd'", required=True)
    pos = value.get("pos")
    if pos not in POS:
        checker.problem(key_line(value, "pos", at), f"{where}, field 'wsd.pos'",
                        f"{pos!r} is not a part of speech: write n, v, a, s or r")
    senses = value.get("senses")
    if (not isinstance(senses, list) or not senses
            or not all(isinstance(s, str) and s.strip() for s in senses)):
        checker.problem(key_line(value, "senses", at), f"{where}, field 'wsd.senses'",
                        "must be a non-empty list of sense ids (strings)")
        senses = None
    elif len(set(senses)) != len(senses):
        twice = next(s for s in senses if senses.count(s) > 1)
        checker.problem(key_line(value, "senses", at), f"{where}, field 'wsd.senses'",
                        f"sense {twice!r} is listed twice; list each once")
    wordnet = value.get("wordnet", False)
    if not isinstance(wordnet, bool):
        checker.problem(key_line(value, "wordnet", at), f"{where}, field 'wsd.wordnet'",
                        "must be true or false")
    k = value.get("k")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        checker.problem(key_line(value, "k", at), f"{where}, field 'wsd.k'",
                        "must be a whole number from 1 (the neighbours that vote)")
    test_id = str(data.get("id"))
    train = _contexts(checker, value, "train", where, at, senses or [], test_id)
    test = _contexts(checker, value, "test", where, at, senses or [], test_id)
    if len(checker.problems) > before or None in (lemma, senses, train, test):
        return None
    return WsdTest(lemma, POS[pos], tuple(senses), wordnet, train, test, k)


def _contexts(checker: Checker, value: Mapping, key: str, where: str, line: int,
              senses: list[str], test_id: str) -> tuple[WsdContext, ...] | None:
    raw = value.get(key)
    at = key_line(value, key, line)
    if not isinstance(raw, list) or not raw:
        checker.problem(at, f"{where}, field 'wsd.{key}'",
                        f"must be a non-empty list of {key} contexts (a test needs at least one"
                        f" training and one test context)")
        return None
    sense_key = "sense" if key == "train" else "gold"
    ids = checker.__dict__.setdefault("wsd_ids", {})  # test context ids, unique in the suite
    out = []
    for n, entry in enumerate(raw, 1):
        here, entry_line = f"{where}, wsd.{key}[{n}]", item_line(raw, n - 1, at)
        if not isinstance(entry, Mapping):
            checker.problem(entry_line, here, f"must be a mapping like {{text: ..., word: ..., "
                            f"{sense_key}: ...}}")
            continue
        extra = ("sense",) if key == "train" else ("id", "gold")
        checker.keys(entry, (*CONTEXT, *extra), entry_line, here)
        tags = entry.get(sense_key)
        tags = [tags] if key == "train" and isinstance(tags, str) else tags
        if key == "train" and not isinstance(tags, list):
            checker.problem(key_line(entry, sense_key, entry_line), here,
                            "missing or bad 'sense': give the sense id of this context")
            continue
        if (not isinstance(tags, list) or not tags
                or not all(isinstance(t, str) for t in tags)):
            checker.problem(key_line(entry, sense_key, entry_line), here,
                            "missing or bad 'gold': give a list of one or more sense ids")
            continue
        bad = [t for t in tags if t not in senses]
        if bad and senses:
            checker.problem(key_line(entry, sense_key, entry_line), f"{here}, field "
                            f"{sense_key!r}", f"{bad[0]!r} is not one of the test's senses"
                            f"{did_you_mean(bad[0], senses)}; senses: {', '.join(senses)}")
            continue
        item_id = entry.get("id") if key == "test" else None
        item_id = f"{test_id}#{n}" if item_id is None else item_id
        if not isinstance(item_id, str) or not item_id.strip():
            checker.problem(key_line(entry, "id", entry_line), f"{here}, field 'id'",
                            "must be a non-empty string (quote it)")
            continue
        if key == "test":
            if item_id in ids:
                checker.problem(key_line(entry, "id", entry_line), f"{here}, field 'id'",
                                f"duplicate test context id {item_id!r} (first on line "
                                f"{ids[item_id]}); ids must be unique in the suite")
                continue
            ids[item_id] = entry_line
        context = checker.context(item_id, {k: entry[k] for k in CONTEXT if k in entry}, here,
                                  entry_line)
        if context is not None:
            out.append(WsdContext(item_id, context, tuple(tags)))
    return tuple(out)
