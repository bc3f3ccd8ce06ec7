"""Graded tests (schema 3): pairs of contexts with human similarity ratings, checked as
thoroughly as orderings are, every problem with the file, line, test, field and fix.

    pairs:
      - {a: {word: love}, b: {word: sex}, score: 6.77}                  # words alone
      - {a: bank1, b: {text: "The bank raised its rates.", word: bank}, score: 1.5}
      - {a: {text: "A man plays a guitar."}, b: {text: "A man plays music."}, score: 3.8}
      - {a: {word: bank, texts: ["...", "..."]}, b: {word: money}, score: 8.5}

A side is a label of the test's contexts or an inline context; `{word: W}` alone is the word as
its own text; `{word: W, texts: [...]}` is W's type vector, the mean of its vectors in those
texts (the first whole-word occurrence in each)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from harness.backend import Item
from harness.errors import counted, did_you_mean
from harness.suites.fields import Checker, refuse_controls
from harness.suites.model import CONTEXT_KEYS, GradedPair, LabelledContext, PairSide
from harness.suites.words import locate_word
from harness.suites.yaml import item_line, key_line

PAIR_KEYS = ("a", "b", "score")
MIN_PAIRS = 3  # a correlation of fewer pairs says nothing


def number(value: Any) -> float | None:
    """A finite number from YAML (which reads 1e-3, without a dot, as text), else None."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def parse_scale(checker: Checker, data: Mapping, where: str,
                line: int) -> tuple[float, float] | None:
    """The optional `scale: [low, high]` of a graded test."""
    raw = data.get("scale")
    if raw is None:
        return None
    bounds = [number(v) for v in raw] if isinstance(raw, list) and len(raw) == 2 else None
    if bounds is None or None in bounds or not bounds[0] < bounds[1]:  # type: ignore[operator]
        checker.problem(key_line(data, "scale", line), f"{where}, field 'scale'",
                        "must be [low, high], two finite numbers with low < high, like "
                        "[0, 10]")
        return None
    return bounds[0], bounds[1]  # type: ignore[return-value]


def parse_pairs(checker: Checker, data: Mapping, where: str, line: int,
                contexts: Mapping[str, LabelledContext], declared: set[str],
                scale: tuple[float, float] | None) -> tuple[GradedPair, ...] | None:
    """The pairs of a graded test; None (with the problems recorded) when any is wrong.
    `declared`: every context label written, valid or not (an invalid one is reported once)."""
    raw = data.get("pairs")
    if not isinstance(raw, list) or len(raw) < MIN_PAIRS:
        checker.problem(key_line(data, "pairs", line), f"{where}, field 'pairs'",
                        f"must be a list of at least {MIN_PAIRS} pairs like {{a: {{word: "
                        "cat}, b: {word: dog}, score: 7.5} (a correlation of fewer says "
                        "nothing)")
        return None
    before = len(checker.problems)
    out = []
    for index, value in enumerate(raw):
        at = item_line(raw, index, line)
        here = f"{where}, pair #{index + 1}"
        if not isinstance(value, Mapping):
            checker.problem(at, here, "must be a mapping with a, b and score")
            continue
        checker.keys(value, PAIR_KEYS, at, here)
        missing = [k for k in PAIR_KEYS if k not in value]
        if missing:
            checker.problem(at, here, f"missing key {missing[0]!r}: a pair has a, b and score")
            continue
        score = number(value["score"])
        score_line = key_line(value, "score", at)
        if score is None:
            checker.problem(score_line, f"{here}, field 'score'",
                            f"{value['score']!r} is not a finite number; give the rating, "
                            "like 6.5")
        elif scale is not None and not scale[0] <= score <= scale[1]:
            checker.problem(score_line, f"{here}, field 'score'",
                            f"{score:g} is outside the test's scale [{scale[0]:g}, "
                            f"{scale[1]:g}]")
        sides = [side(checker, value[k], f"{here}, field {k!r}", key_line(value, k, at),
                      contexts, declared) for k in ("a", "b")]
        if score is not None and None not in sides:
            out.append(GradedPair(sides[0], sides[1], score))  # type: ignore[arg-type]
    return None if len(checker.problems) > before else tuple(out)


def side(checker: Checker, value: Any, where: str, line: int,
         contexts: Mapping[str, LabelledContext], declared: set[str]) -> PairSide | None:
    """A label of the test's contexts, or an inline context."""
    if isinstance(value, str):
        if refuse_controls(checker, value, line, where):
            return None
        if value in contexts:
            context = contexts[value]
            return PairSide(value, (context.item,),
                            "sentence" if context.span is None else "context")
        if value not in declared:
            hint = did_you_mean(value, contexts)
            known = f"; labels: {', '.join(contexts)}" if contexts else (
                "; this test has no contexts: write the context inline, like {word: cat}")
            checker.problem(line, where, f"unknown context label {value!r}{hint}{known}")
        return None
    if not isinstance(value, Mapping):
        checker.problem(line, where, "must be a context label or a context like {word: cat}, "
                        "{text: \"...\", word: ...} or {word: cat, texts: [...]}")
        return None
    if "texts" in value:
        return _type_side(checker, value, where, line)
    if "text" not in value:
        return _word_alone(checker, value, where, line)
    context = checker.context("", value, where, line)
    if context is None:
        return None
    if context.span is None:
        return PairSide(context.text, (context.item,), "sentence")
    return PairSide(f"{context.word}: {context.text}", (context.item,), "context")


def _word_alone(checker: Checker, value: Mapping, where: str, line: int) -> PairSide | None:
    checker.keys(value, (*CONTEXT_KEYS, "texts"), line, where)
    word = value.get("word")
    if not isinstance(word, str) or not word.strip() or word != word.strip():
        checker.problem(line, where, "give text (a context), word (a word alone, as its own "
                        "text) or word and texts (its type vector); a word is a non-empty "
                        "string without surrounding spaces")
        return None
    if refuse_controls(checker, word, key_line(value, "word", line), f"{where}, field 'word'"):
        return None
    extra = [k for k in ("occurrence", "span") if k in value]
    if extra:
        checker.problem(line, where, f"{extra[0]} needs a text; a word alone is its own text")
        return None
    return PairSide(word, (Item(word, (0, len(word))),), "word")


def _type_side(checker: Checker, value: Mapping, where: str, line: int) -> PairSide | None:
    checker.keys(value, ("word", "texts"), line, where)
    word, texts = value.get("word"), value.get("texts")
    if not isinstance(word, str) or not word.strip():
        checker.problem(line, where, "a type vector needs word: the word whose vectors in "
                        "texts are averaged")
        return None
    if refuse_controls(checker, word, key_line(value, "word", line), f"{where}, field 'word'"):
        return None
    if not isinstance(texts, list) or not texts or not all(
            isinstance(t, str) and t.strip() for t in texts):
        checker.problem(key_line(value, "texts", line), f"{where}, field 'texts'",
                        "must be a non-empty list of texts that contain the word")
        return None
    items, problems = [], 0
    for n, text in enumerate(texts, 1):
        if refuse_controls(checker, text, key_line(value, "texts", line), f"{where}, text #{n}",
                           layout=True):
            problems += 1
            continue
        try:
            start, end = _first(text, word)
        except ValueError as exc:
            checker.problem(key_line(value, "texts", line), f"{where}, text #{n}", str(exc))
            problems += 1
            continue
        items.append(Item(text, (start, end)))
    if problems:
        return None
    return PairSide(f"{word} (type vector of {counted(items, 'text')})", tuple(items), "type")


def _first(text: str, word: str) -> tuple[int, int]:
    """The first whole-word occurrence of `word` in `text`."""
    try:
        return locate_word(text, word)
    except ValueError as exc:
        if "add occurrence" not in str(exc):
            raise
        return locate_word(text, word, 1)
