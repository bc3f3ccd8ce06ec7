"""Suites: reading a suite file and checking it, into the data classes of `harness.suites.model`.

Schema 1 is DESIGN.md's. Schema 2 (`schema: 2` at the top) is schema 1 plus one more form of
expectation, between two pairs of contexts: "a ~ b > c ~ d", sim(a, b) > sim(c, d); the WiC
importer writes it. Schema 3 adds graded tests: `pairs` with human ratings instead of `expect`
(harness.suites.graded).

Every problem is reported with the file, the line, the test and the field, and how to fix it.
No text field may hold a control character (harness.suites.fields).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import SuiteError, did_you_mean
from harness.suites.fields import not_finite, refuse_controls, suite_datasets
from harness.suites.graded import parse_pairs, parse_scale
from harness.suites.kinds import PluginKinds, plugin_test
from harness.suites.model import CONTEXT_KEYS, Expectation, LabelledContext, Suite, Test
from harness.suites.words import locate_word
from harness.suites.yaml import data_line, item_line, key_line, line_of, load_yaml_file

SCHEMA = 1
SCHEMAS = (1, 2, 3, 4)
SUITE_KEYS = ("schema", "suite", "description", "datasets", "tests")  # datasets: schema 3
TEST_KEYS = ("id", "description", "contexts", "expect")
GRADED_KEYS = ("pairs", "scale")  # schema 3
EXPECT_KEYS = ("anchor", "closer", "farther", "margin")
_LABEL = re.compile(r"^[\w.\-]+$")
_EXPECT = re.compile(r"^\s*([^:>]+?)\s*:\s*([^:>]+?)\s*>\s*([^:>]+?)\s*$")
_PAIRS = re.compile(r"^\s*([^:>~]+?)\s*~\s*([^:>~]+?)\s*>\s*([^:>~]+?)\s*~\s*([^:>~]+?)\s*$")


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite file; raises SuiteError listing every problem found."""
    data = load_yaml_file(path)
    return parse_suite(data, str(path))


def parse_suite(data: Any, path: str = "<suite>", measures: list | None = None) -> Suite:
    """Validate already-loaded suite data (a YamlMap keeps line numbers; a dict works too);
    `measures`: the plugin measures a test's keys may name (None: those installed)."""
    checker = Checker(path, measures)
    suite = checker.suite(data)
    if checker.problems:
        raise SuiteError(path, checker.problems)
    assert suite is not None
    return suite


class Checker:
    """Walks suite data, collecting every problem rather than stopping at the first."""

    def __init__(self, path: str, measures: list | None = None):
        self.path = path
        self.problems: list[str] = []
        self.schema = SCHEMA
        self.kinds = PluginKinds(measures)

    def problem(self, line: int, where: str, message: str) -> None:
        place = f"{self.path}:{line}" if line else self.path
        self.problems.append(f"{place}: {where}: {message}" if where else f"{place}: {message}")

    def keys(self, data: Mapping, allowed: tuple[str, ...], line: int, where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                self.problem(
                    key_line(data, key, line), where,
                    f"unknown key {key!r}{hint}; allowed keys: {', '.join(allowed)}",
                )

    def suite(self, data: Any) -> Suite | None:
        if not isinstance(data, Mapping):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            self.problem(
                line_of(data), "",
                f"the file is {kind}; a suite is a mapping with the keys suite: NAME and tests: "
                "[...] (see suites/polysemy.yaml)",
            )
            return None
        self.keys(data, SUITE_KEYS, data_line(data), "")
        schema = data.get("schema", SCHEMA)
        if isinstance(schema, str) and schema.strip() in {str(s) for s in SCHEMAS}:
            self.problem(key_line(data, "schema"), "field 'schema'",
                         f"schema {schema!r} is text: write it as a number, schema: "
                         f"{schema.strip()}")
        elif schema not in SCHEMAS or isinstance(schema, bool):
            self.problem(
                key_line(data, "schema"), "field 'schema'",
                f"schema {schema!r} is not supported; this harness reads schemas "
                f"{', '.join(map(str, SCHEMAS))}",
            )
        else:
            self.schema = schema
        name = self.text_field(data, "suite", "", required=True)
        description = self.text_field(data, "description", "", layout=True) or ""
        datasets = suite_datasets(self, data)
        tests_data = data.get("tests")
        tests: list[Test] = []
        if tests_data is None:
            self.problem(data_line(data), "", "missing key 'tests': add a list of tests")
        elif not isinstance(tests_data, list) or not tests_data:
            self.problem(
                key_line(data, "tests"), "field 'tests'", "must be a non-empty list of tests"
            )
        else:
            seen: dict[str, int] = {}
            for index, test_data in enumerate(tests_data):
                line = item_line(tests_data, index)
                test = self.test(test_data, index, line)
                if test is None:
                    continue
                if test.id in seen:
                    self.problem(
                        line, f"test {test.id!r}",
                        f"duplicate test id (first on line {seen[test.id]}); ids must be unique",
                    )
                    continue
                seen[test.id] = line
                tests.append(test)
        if name is None:
            return None
        return Suite(name=name, tests=tuple(tests), description=description, path=self.path,
                     datasets=datasets)

    def text_field(self, data: Mapping, key: str, where: str, required: bool = False,
                   layout: bool = False) -> str | None:
        """A string field; `layout`: it may hold tabs and newlines (a description, a text)."""
        value = data.get(key)
        label = f"{where}, field {key!r}" if where else f"field {key!r}"
        if value is None:
            if required:
                self.problem(data_line(data), where, f"missing key {key!r}")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(key_line(data, key), label, "must be a non-empty string")
            return None
        return None if refuse_controls(self, value, key_line(data, key), label, layout) else value

    def test(self, data: Any, index: int, line: int) -> Test | None:
        if not isinstance(data, Mapping):
            self.problem(line, f"test #{index + 1}", "must be a mapping with id, contexts, expect "
                         "(or, schema 3, pairs)")
            return None
        raw_id = data.get("id")
        if raw_id is None:
            self.problem(line, f"test #{index + 1}", "missing key 'id': give the test a unique id")
            return None
        if not isinstance(raw_id, str) or not raw_id.strip():
            self.problem(key_line(data, "id", line), f"test #{index + 1}",
                         f"id must be a string; it was read as {_read_as(raw_id)}. Quote it, "
                         "like id: \"12\" (YAML reads unquoted 012, 0x10 or 1:30 as numbers)")
            return None
        if refuse_controls(self, raw_id, key_line(data, "id", line), f"test #{index + 1}, "
                           "field 'id'"):
            return None
        test_id = raw_id
        where = f"test {test_id!r}"
        before = len(self.problems)
        measure = self.kinds.owner(data)
        if measure is not None:
            description = self.text_field(data, "description", where, layout=True)
            contexts = self.contexts(data, where, line) if "wsd" not in data else {}
            return plugin_test(self, measure, data, test_id, where, line, description,
                               contexts)
        graded = any(k in data for k in GRADED_KEYS)
        self.keys(data, TEST_KEYS + GRADED_KEYS if self.schema >= 3 else TEST_KEYS, line, where)
        if graded and self.schema < 3:
            self.problem(key_line(data, "pairs" if "pairs" in data else "scale", line), where,
                         "pairs and scale (a graded test) need schema: 3 at the top of the "
                         "suite")
            return None
        if graded and "expect" in data:
            self.problem(key_line(data, "expect", line), where,
                         "a test holds either expect (orderings) or pairs (graded), not both: "
                         "make two tests")
            return None
        description = self.text_field(data, "description", where, layout=True) or ""
        raw_contexts = data.get("contexts")
        declared = {str(k) for k in raw_contexts} if isinstance(raw_contexts, Mapping) else set()
        if graded:
            contexts = self.contexts(data, where, line) if raw_contexts is not None else {}
            scale = parse_scale(self, data, where, line)
            pairs = parse_pairs(self, data, where, line, contexts or {}, declared, scale)
            if len(self.problems) > before or contexts is None or pairs is None:
                return None
            return Test(id=test_id, contexts=contexts, expect=(), description=description,
                        pairs=pairs, scale=scale)
        contexts = self.contexts(data, where, line)
        expect = self.expectations(data, where, line, contexts, declared)
        if len(self.problems) > before or contexts is None or expect is None:
            return None
        return Test(id=test_id, contexts=contexts, expect=expect, description=description)

    def contexts(self, data: Mapping, where: str, line: int) -> dict[str, LabelledContext] | None:
        raw = data.get("contexts")
        if raw is None:
            self.problem(line, where, "missing key 'contexts': map labels to {text, word}")
            return None
        if not isinstance(raw, Mapping) or not raw:
            self.problem(
                key_line(data, "contexts", line), f"{where}, field 'contexts'",
                "must be a non-empty mapping of label -> {text: ..., word: ...}",
            )
            return None
        out: dict[str, LabelledContext] = {}
        for label, value in raw.items():
            at = key_line(raw, label, line)
            here = f"{where}, context {label!r}"
            if not isinstance(label, str):
                self.problem(at, f"{where}, context {label!r}",
                             f"a label must be a string; YAML read this one as "
                             f"{_read_as(label)}. Quote it in the file")
                continue
            if refuse_controls(self, label, at, f"{where}, label {label!r}"):
                continue
            if not _LABEL.match(label):
                self.problem(
                    at, here,
                    "a label is letters, digits, '_', '-' or '.' (no spaces, ':' or '>')",
                )
                continue
            context = self.context(label, value, here, at)
            if context is not None:
                out[label] = context
        return out

    def context(self, label: str, data: Any, where: str, line: int) -> LabelledContext | None:
        if not isinstance(data, Mapping):
            self.problem(line, where, "must be a mapping like {text: \"...\", word: ...}")
            return None
        before = len(self.problems)
        self.keys(data, CONTEXT_KEYS, line, where)
        text = self.text_field(data, "text", where, required=True, layout=True)
        word, occurrence, span = data.get("word"), data.get("occurrence"), data.get("span")
        if word is not None and span is not None:
            self.problem(
                key_line(data, "span", line), f"{where}, field 'span'",
                "give either word or span, not both",
            )
        if occurrence is not None and (
            word is None or isinstance(occurrence, bool) or not isinstance(occurrence, int)
            or occurrence < 1
        ):
            self.problem(
                key_line(data, "occurrence", line), f"{where}, field 'occurrence'",
                "must be a whole number from 1, used together with word",
            )
            occurrence = None
        if len(self.problems) > before or text is None:
            return None
        if word is not None:
            if not isinstance(word, str):
                self.problem(key_line(data, "word", line), f"{where}, field 'word'",
                             "must be a string (quote it)")
                return None
            if refuse_controls(self, word, key_line(data, "word", line), f"{where}, field 'word'"):
                return None
            try:
                found = locate_word(text, word, occurrence)
            except ValueError as exc:
                self.problem(key_line(data, "word", line), f"{where}, field 'word'", str(exc))
                return None
            return LabelledContext(label, text, found)
        if span is not None:
            good = (
                isinstance(span, list) and len(span) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
                and 0 <= span[0] < span[1] <= len(text)
            )
            if not good:
                self.problem(
                    key_line(data, "span", line), f"{where}, field 'span'",
                    f"must be [start, end] character offsets with 0 <= start < end <= {len(text)}"
                    f" (the length of the text)",
                )
                return None
            if not text[span[0] : span[1]].strip():
                self.problem(key_line(data, "span", line), f"{where}, field 'span'",
                             "covers only whitespace")
                return None
            return LabelledContext(label, text, (span[0], span[1]))
        return LabelledContext(label, text, None)

    def expectations(
        self,
        data: Mapping,
        where: str,
        line: int,
        contexts: dict[str, LabelledContext] | None,
        declared: set[str],
    ) -> tuple[Expectation, ...] | None:
        """`declared`: every label written, valid or not (an invalid one is reported once)."""
        raw = data.get("expect")
        if raw is None:
            self.problem(line, where, "missing key 'expect': add expectations like 'a: b > c'")
            return None
        if not isinstance(raw, list) or not raw:
            self.problem(key_line(data, "expect", line), f"{where}, field 'expect'",
                         "must be a non-empty list of expectations like 'a: b > c'")
            return None
        out: list[Expectation] = []
        seen: set[str] = set()
        for index, value in enumerate(raw):
            at = item_line(raw, index, line)
            here = f"{where}, expect #{index + 1}"
            exp = self.expectation(value, here, at)
            if exp is None:
                continue
            labels = exp.labels
            if contexts is not None:
                missing = [lab for lab in labels if lab not in contexts]
                for lab in (m for m in missing if m not in declared):
                    hint = did_you_mean(lab, contexts)
                    self.problem(at, here, f"unknown context label {lab!r}{hint}; labels: "
                                 f"{', '.join(contexts)}")
                if missing:
                    continue
            if exp.farther_anchor is None and len(set(labels)) != 3:
                self.problem(at, here, f"'{exp}' must name three different contexts")
                continue
            if exp.farther_anchor is not None and (
                    exp.anchor == exp.closer or exp.farther_anchor == exp.farther
                    or {exp.anchor, exp.closer} == {exp.farther_anchor, exp.farther}):
                self.problem(at, here, f"'{exp}' must compare two different pairs of two "
                             "different contexts")
                continue
            if str(exp) in seen:
                self.problem(at, here, f"'{exp}' is listed twice")
                continue
            seen.add(str(exp))
            out.append(exp)
        return tuple(out)

    def expectation(self, value: Any, where: str, line: int) -> Expectation | None:
        if isinstance(value, str) and refuse_controls(self, value, line, where):
            return None
        if isinstance(value, str) and _PAIRS.match(value):
            if self.schema < 2:
                self.problem(line, where, f"{value!r} compares two pairs, which needs "
                             "schema: 2 at the top of the suite")
                return None
            a, b, c, d = _PAIRS.match(value).groups()  # type: ignore[union-attr]
            return Expectation(a, b, d, farther_anchor=c)
        if isinstance(value, str):
            match = _EXPECT.match(value)
            if not match:
                self.problem(line, where,
                             f"{value!r} is not of the form 'anchor: closer > farther'")
                return None
            return Expectation(*match.groups())
        if (isinstance(value, Mapping) and len(value) == 1
                and isinstance(next(iter(value.values())), str)
                and ">" in next(iter(value.values()))):
            key, rest = next(iter(value.items()))
            self.problem(line, where, f"write the expectation in quotes: - \"{key}: {rest}\" "
                         "(unquoted, YAML reads 'a: b > c' as a mapping)")
            return None
        if isinstance(value, Mapping):
            before = len(self.problems)
            self.keys(value, EXPECT_KEYS, line, where)
            labels = [self.text_field(value, k, where, required=True) for k in EXPECT_KEYS[:3]]
            margin = value.get("margin", 0.0)
            if isinstance(margin, str):  # YAML 1.1 reads 1e-3 (no dot) as text
                try:
                    margin = float(margin)
                except ValueError:
                    pass
            if not_finite(margin):
                self.problem(key_line(value, "margin", line), f"{where}, field 'margin'",
                             f"is not finite (read as {float(margin)}): give a finite number, "
                             "like 0.05")
            elif isinstance(margin, bool) or not isinstance(margin, int | float):
                self.problem(key_line(value, "margin", line), f"{where}, field 'margin'",
                             "must be a number, like 0.05")
            elif not -2 <= margin <= 2:
                self.problem(key_line(value, "margin", line), f"{where}, field 'margin'",
                             f"{margin} is outside -2 to 2; a margin is a difference of two "
                             "cosines, like 0.05")
            if len(self.problems) > before or None in labels:
                return None
            return Expectation(*labels, margin=float(margin))  # type: ignore[arg-type]
        self.problem(line, where, "must be 'anchor: closer > farther' or a mapping with "
                                  "anchor, closer, farther (and margin)")
        return None


def _read_as(value: Any) -> str:
    if value is None:
        return "null (empty)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a {type(value).__name__}"
