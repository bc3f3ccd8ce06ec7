"""Suite loading and validation: every kind of bad suite gets one clear error naming the file,
the line, the test and the field."""

from __future__ import annotations

import tracemalloc

import pytest

from harness.errors import SuiteError
from harness.suites.model import Expectation
from harness.suites.validate import load_suite
from harness.suites.words import locate_word
from tests.helpers import POLYSEMY, QUARTET


def test_polysemy_suite_holds_the_notebooks_quartets():
    suite = load_suite(POLYSEMY)
    assert suite.name == "polysemy"
    assert [t.id for t in suite.tests] == ["mouse", "mouse-across", "lean", "lean-across"]
    expect = {t.id: [str(e) for e in t.expect] for t in suite.tests}
    assert expect["mouse"] == ["mouse1: rat > keyboard", "mouse2: keyboard > rat"]
    assert expect["lean"] == ["lean1: greasy > tilt", "lean2: tilt > greasy"]
    assert expect["mouse-across"] == ["rat: mouse1 > mouse2", "keyboard: mouse2 > mouse1"]
    assert expect["lean-across"] == ["greasy: lean1 > lean2", "tilt: lean2 > lean1"]
    mouse1 = suite.tests[0].contexts["mouse1"]
    assert mouse1.text == "A mouse is a rodent animal." and mouse1.word == "mouse"
    assert mouse1.span == (2, 7)


def test_both_expectation_forms_and_margin(write_suite):
    suite = load_suite(write_suite(QUARTET))
    assert suite.tests[0].expect == (
        Expectation("mouse1", "rat", "keyboard", 0.0),
        Expectation("mouse2", "keyboard", "rat", 0.1),
        Expectation("rat", "mouse1", "mouse2", 0.0),
    )


@pytest.mark.parametrize(
    ("text", "word", "occurrence", "span"),
    [
        ("Mouse droppings.", "mouse", None, (0, 5)),  # first word, other case
        ("I saw a MOUSE.", "mouse", None, (8, 13)),  # last word, punctuation beside it
        ("The café is open.", "CAFÉ", None, (4, 8)),  # accents, case-insensitive
        ("A mouse saw a mouse.", "mouse", 2, (14, 19)),
        ("ice cream, then ice", "ice cream", None, (0, 9)),  # several words
    ],
)
def test_locate_word(text, word, occurrence, span):
    assert locate_word(text, word, occurrence) == span


def test_locate_word_whole_words_only():
    with pytest.raises(ValueError, match="inside a longer word at offset 2.*span: \\[2, 7\\]"):
        locate_word("A mousetrap.", "mouse")
    with pytest.raises(ValueError, match="occurs 2 times.*occurrence"):
        locate_word("A mouse saw a mouse.", "mouse")
    with pytest.raises(ValueError, match="occurrence 3 asked"):
        locate_word("A mouse saw a mouse.", "mouse", 3)


def test_span_and_whole_sentence_contexts(write_suite):
    path = write_suite("""\
        suite: s
        tests:
          - id: t
            contexts:
              a: {text: "A rodent ate.", span: [2, 8]}
              b: {text: "A rat ate."}
              c: {text: "A keyboard.", word: keyboard}
            expect: ["a: b > c"]
        """)
    contexts = load_suite(path).tests[0].contexts
    assert contexts["a"].word == "rodent"
    assert contexts["b"].span is None and contexts["b"].word is None


GOOD_TEST = """\
  - id: t
    contexts:
      a: {text: "A mouse.", word: mouse}
      b: {text: "A rat.", word: rat}
      c: {text: "A key.", word: key}
    expect: ["a: b > c"]
"""

# (suite text, line, fragments the message must contain)
BAD_SUITES = {
    "not a mapping": ("- just\n- a list\n", 1, ["a suite is a mapping"]),
    "empty file": ("", 0, ["the file is empty"]),
    "missing suite": ("tests:\n" + GOOD_TEST, 1, ["missing key 'suite'"]),
    "missing tests": ("suite: s\n", 1, ["missing key 'tests'"]),
    "empty tests": ("suite: s\ntests: []\n", 2, ["field 'tests'", "non-empty list"]),
    "unknown top key": ("suite: s\ntset: 1\ntests:\n" + GOOD_TEST, 2,
                        ["unknown key 'tset'", "did you mean 'tests'"]),
    "bad schema": ("schema: 5\nsuite: s\ntests:\n" + GOOD_TEST, 1, ["schema 5 is not supported"]),
    "test not mapping": ("suite: s\ntests:\n  - hello\n", 3, ["test #1", "must be a mapping"]),
    "missing id": ("suite: s\ntests:\n  - contexts: {}\n", 3, ["test #1", "missing key 'id'"]),
    "duplicate id": ("suite: s\ntests:\n" + GOOD_TEST + GOOD_TEST, 9,
                     ["test 't'", "duplicate test id (first on line 3)"]),
    "unknown test key": ("suite: s\ntests:\n" + GOOD_TEST + "    expected: []\n", 9,
                         ["test 't'", "unknown key 'expected'", "did you mean 'expect'"]),
    "missing contexts": ("suite: s\ntests:\n  - id: t\n    expect: ['a: b > c']\n", 3,
                         ["test 't'", "missing key 'contexts'"]),
    "missing expect": ("suite: s\ntests:\n  - id: t\n    contexts: {a: {text: x}}\n", 3,
                       ["test 't'", "missing key 'expect'"]),
    "word not in text": (
        "suite: s\ntests:\n" + GOOD_TEST.replace('word: rat', 'word: cat'), 6,
        ["test 't', context 'b', field 'word'", "'cat' does not occur as a whole word", "A rat."]),
    "missing text": ("suite: s\ntests:\n" + GOOD_TEST.replace('text: "A rat.", ', ''), 6,
                     ["context 'b'", "missing key 'text'"]),
    "unknown context key": ("suite: s\ntests:\n" + GOOD_TEST.replace("word: rat", "wrd: rat"), 6,
                            ["context 'b'", "unknown key 'wrd'", "did you mean 'word'"]),
    "word and span": ("suite: s\ntests:\n" + GOOD_TEST.replace("word: rat", "word: rat, span: "
                                                               "[2, 5]"), 6,
                      ["field 'span'", "either word or span"]),
    "span out of range": ("suite: s\ntests:\n" + GOOD_TEST.replace("word: rat", "span: [2, 50]"),
                          6, ["field 'span'", "0 <= start < end <= 6"]),
    "bad occurrence": ("suite: s\ntests:\n" + GOOD_TEST.replace("word: rat", "word: rat, "
                                                                "occurrence: 0"), 6,
                       ["field 'occurrence'", "whole number from 1"]),
    "bad label": ("suite: s\ntests:\n" + GOOD_TEST.replace("b: {", "'b c': {"), 6,
                  ["context 'b c'", "a label is letters"]),
    "unknown label": ("suite: s\ntests:\n" + GOOD_TEST.replace("a: b > c", "a: b > d"), 8,
                      ["expect #1", "unknown context label 'd'"]),
    "malformed expectation": ("suite: s\ntests:\n" + GOOD_TEST.replace("a: b > c", "a b c"), 8,
                              ["expect #1", "not of the form 'anchor: closer > farther'"]),
    "same label twice": ("suite: s\ntests:\n" + GOOD_TEST.replace("a: b > c", "a: b > b"), 8,
                         ["three different contexts"]),
    "duplicate expectation": ("suite: s\ntests:\n" + GOOD_TEST.replace('["a: b > c"]',
                                                                      '["a: b > c", "a:b>c"]'), 8,
                              ["expect #2", "listed twice"]),
    "bad margin": ("suite: s\ntests:\n" + GOOD_TEST.replace(
        '["a: b > c"]', "[{anchor: a, closer: b, farther: c, margin: big}]"), 8,
        ["field 'margin'", "must be a number"]),
    "expectation mapping missing field": ("suite: s\ntests:\n" + GOOD_TEST.replace(
        '["a: b > c"]', "[{anchor: a, closer: b}]"), 8, ["expect #1", "missing key 'farther'"]),
    "duplicate key": ("suite: s\nsuite: t\ntests:\n" + GOOD_TEST, 2,
                      ["duplicate key 'suite' (first on line 1)"]),
    "yaml syntax": ("suite: s\ntests: [\n", 3, ["YAML syntax error"]),
    "python tag": ("suite: !!python/object/apply:os.system ['echo owned']\ntests: []\n", 1,
                   ["YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"]),
    "custom tag": ("suite: !env HOME\ntests: []\n", 1, ["YAML tag !env is not allowed"]),
    "merge key": ("base: &b {text: x}\nsuite: s\ntests:\n  - id: t\n    contexts:\n"
                  "      a: {<<: *b}\n", 6, ["merge keys"]),
    "two documents": ("suite: s\n---\nsuite: t\n", 2, ["YAML syntax error"]),
    "explicit int tag on text": ("suite: !!int hello\ntests: []\n", 1,
                                 ["'hello' is not a valid int"]),
    "explicit bool tag": ("suite: s\ntests: !!bool maybe\n", 2, ["'maybe' is not a valid bool"]),
    "nul byte": ("suite: s\x00\ntests: []\n", 1, ["character '\\x00' is not allowed"]),
    "numeric id": ("suite: s\ntests:\n" + GOOD_TEST.replace("id: t", "id: 0x10"), 3,
                   ["id must be a string", "read as the number 16", "Quote it"]),
    "number label": ("suite: s\ntests:\n" + GOOD_TEST.replace("b: {", "1: {"), 6,
                     ["context 1", "as the number 1", "Quote it"]),
    "boolean label": ("suite: s\ntests:\n" + GOOD_TEST.replace("b: {", "yes: {"), 6,
                      ["as the boolean true"]),
    "keys equal as booleans": ("suite: s\ntests:\n" + GOOD_TEST.replace("b: {", "1: {").replace(
        "c: {", "true: {"), 7, ["duplicate key True", "quote the keys"]),
    "unquoted expectation": ("suite: s\ntests:\n" + GOOD_TEST.replace('["a: b > c"]',
                                                                      "\n      - a: b > c"), 9,
                             ["write the expectation in quotes: - \"a: b > c\""]),
}


@pytest.mark.parametrize("case", sorted(BAD_SUITES))
def test_bad_suites_get_one_clear_error(case, write_suite):
    text, line, fragments = BAD_SUITES[case]
    path = write_suite(text)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    where = f"{path}:{line}:" if line else f"{path}:"
    assert where in message, message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("case", sorted(BAD_SUITES))
def test_bad_suites_exit_2_from_the_cli(case, write_suite, capsys):
    from harness.cli import main

    path = write_suite(BAD_SUITES[case][0])
    assert main(["validate", str(path)]) == 2
    assert main(["run", str(path), "-o", str(path.parent / "out")]) == 2
    assert "invalid suite" in capsys.readouterr().err
    assert not (path.parent / "out").exists()


def test_margin_in_exponent_form(write_suite):
    path = write_suite("suite: s\ntests:\n" + GOOD_TEST.replace(
        '["a: b > c"]', "[{anchor: a, closer: b, farther: c, margin: 1e-3}]"))
    assert load_suite(path).tests[0].expect[0].margin == 0.001


def test_a_special_file_is_refused_without_reading_it():
    with pytest.raises(SuiteError, match="not a regular file"):
        load_suite("/dev/zero")


def test_all_problems_are_listed_not_only_the_first(write_suite):
    text = "suite: s\ntests:\n" + GOOD_TEST.replace("word: rat", "word: cat").replace(
        "a: b > c", "a: b > d")
    with pytest.raises(SuiteError) as info:
        load_suite(write_suite(text))
    assert len(info.value.problems) == 2


def test_python_tag_is_never_executed(write_suite, tmp_path):
    marker = tmp_path / "owned"
    path = write_suite(f"suite: !!python/object/apply:os.system ['touch {marker}']\ntests: []\n")
    with pytest.raises(SuiteError):
        load_suite(path)
    assert not marker.exists()


def test_alias_bomb_is_answered_quickly(write_suite):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    lines.append("suite: s\ntests: *a11")
    path = write_suite("\n".join(lines) + "\n")
    tracemalloc.start()
    try:
        with pytest.raises(SuiteError) as info:
            load_suite(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # 9**12 items if expanded; shared, the file's own size
    assert "unknown key 'a0'" in str(info.value)


def test_recursive_alias_is_an_error_not_a_hang(write_suite):
    with pytest.raises(SuiteError, match="test #1"):
        load_suite(write_suite("suite: s\ntests: &t [*t]\n"))


def test_huge_file_is_refused_before_parsing(tmp_path, monkeypatch):
    import harness.suites.yaml as safe_yaml

    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 1000)
    path = tmp_path / "huge.yaml"
    path.write_text("suite: s\n" + "# padding\n" * 200)
    with pytest.raises(SuiteError, match="larger than a suite may be"):
        load_suite(path)


def test_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("suite: s\ntests:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SuiteError, match=r"latin1.yaml:3: not UTF-8 text \(byte 0xe9"):
        load_suite(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SuiteError, match="no such file"):
        load_suite(tmp_path / "nope.yaml")
    with pytest.raises(SuiteError, match="is a folder"):
        load_suite(tmp_path)


def test_deep_nesting(write_suite):
    with pytest.raises(SuiteError):
        load_suite(write_suite("suite: " + "[" * 50000 + "]" * 50000 + "\n"))


def test_fingerprint_follows_content_not_formatting(write_suite):
    a = load_suite(write_suite(QUARTET, "a.yaml"))
    b = load_suite(write_suite("# a comment\n" + QUARTET, "b.yaml"))
    c = load_suite(write_suite(QUARTET.replace("margin: 0.1", "margin: 0.2"), "c.yaml"))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_whole_word_search_finds_what_the_regex_finds():
    """locate_word's search without a regex per word agrees with (?<!\\w)WORD(?!\\w), IGNORECASE,
    on random ASCII texts (overlaps, underscores, digits and case included) and on non-ASCII."""
    import random
    import re

    from harness.suites.words import _whole_word_spans

    rng = random.Random(0)
    cases = [("Ärger und ärger", "ärger"), ("İstanbul istanbul", "istanbul"), ("ſun sun", "sun")]
    for _ in range(20000):
        text = "".join(rng.choice("ab AB_1.-") for _ in range(rng.randint(0, 12)))
        word = "".join(rng.choice("abAB_1.") for _ in range(rng.randint(1, 3)))
        cases.append((text, word))
    for text, word in cases:
        pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)
        assert _whole_word_spans(text, word) == [m.span() for m in pattern.finditer(text)], (
            text, word)
