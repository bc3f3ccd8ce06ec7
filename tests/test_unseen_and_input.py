"""What a model cannot see has no vector, and the API refuses what it cannot read.

A target the tokenizer reads (in whole or in part) as its unknown token is unscored with a reason
that names it (on the toy tokenizer, on `tokenizers` models of each kind, on minilm and
minilm-tf); a word and a text that differ only in Unicode normalisation find each other, with
spans into the text as given; contexts, occurrences and arguments of the wrong kind are refused
with a message that says what to pass; a context-free backend draws no sense map."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pytest

import harness
from harness.api import to_item
from harness.backend import Item
from harness.backend.alignment import TokenizerSpec, find_unknown_id, make_plan
from harness.cli import main
from harness.suites.validate import load_suite
from harness.suites.words import locate_word
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY
from tests.toy_models import CLS, PAD, SEP, UNK, ToyBackend, ToyTokenizer, bert_spec

MOUSE = "I love 🐭 so much"
UNICORN = "I love 🦄 so much"


def unseen(text: str, word: str, part: str | None = None, token: str = "[UNK]") -> str:
    """The reason a target read as the unknown token has no vector."""
    start = text.index(word)
    place = f"{word!r} (characters {start}-{start + len(word)} of {text!r})"
    if part is None:
        return f"the tokenizer reads the target {place} as its unknown token {token}: the model " \
               "cannot see it"
    parts = part.split("|")
    return (f"the tokenizer reads {', '.join(map(repr, parts))} in the target {place} as its "
            f"unknown token {token}: the model cannot see {'it' if len(parts) == 1 else 'them'}")


def items(*contexts: tuple[str, str | None]) -> list[Item]:
    return [Item(t, None if w is None else locate_word(t, w)) for t, w in contexts]


# -- the unknown token, on the toy tokenizer (no torch) ---------------------------------------

UNKNOWN_CASES = [  # (text, word, the stretch read as [UNK]: None when it is the whole word)
    (MOUSE, "🐭", None),  # an emoji
    ("A ☃ stood in the snow.", "☃", None),  # a character outside the vocabulary
    ("The hippopotamuś ate.", "hippopotamuś", "amuś"),  # hipp ##opot [UNK]: one of three
    ("Some naïve art hung here.", "naïve art", "naïve"),  # two words, one unknown
    ("I love 🐭🦄 so much", "🐭🦄", "🐭|🦄"),  # two unknown pieces
]


@pytest.mark.parametrize(("text", "word", "part"), UNKNOWN_CASES)
def test_a_target_read_as_the_unknown_token_has_no_vector_and_says_why(text, word, part):
    plan = make_plan(items((text, word), (text, None)), bert_spec(ToyTokenizer(ascii_only=True)),
                     64)
    assert plan.reasons == {0: unseen(text, word, part)}
    assert plan.seq.tolist() == [-1, 0]  # the whole sentence still reads its text


def test_the_toy_backend_gives_nan_rows_with_the_reasons_and_keeps_whole_sentences():
    backend = ToyBackend("toy", tokenizer=ToyTokenizer(ascii_only=True))
    out = backend.embed(items((MOUSE, "🐭"), (UNICORN, "🦄"), (MOUSE, "love"), (MOUSE, None)))
    assert np.isnan(out.vectors).all(axis=1).tolist() == [True, True, False, False]
    assert np.isfinite(out.vectors[2:]).all()
    assert dict(out.reasons) == {0: unseen(MOUSE, "🐭"), 1: unseen(UNICORN, "🦄")}


def test_a_tokenizer_that_does_not_say_needs_unk_id_on_the_spec():
    quiet = ToyTokenizer(ascii_only=True, says_unknown=False)
    assert find_unknown_id(quiet) is None
    silent = make_plan(items((MOUSE, "🐭")), bert_spec(quiet), 64)
    assert silent.reasons == {}  # nothing tells the harness that [UNK] is unknown
    told = TokenizerSpec.bert(quiet, CLS, SEP, PAD, unk_id=UNK)
    assert (told.unknown_id, told.unknown) == (UNK, (UNK, "[UNK]"))
    assert make_plan(items((MOUSE, "🐭")), told, 64).reasons == {0: unseen(MOUSE, "🐭")}


def test_the_unknown_token_is_found_from_the_tokenizer_itself():
    spec = bert_spec(ToyTokenizer(ascii_only=True))
    assert (spec.unk_id, spec.unknown_id, spec.unknown) == (None, UNK, (UNK, "[UNK]"))
    assert bert_spec().unknown_id is None  # the plain toy tokenizer has no unknown token


def test_a_run_records_the_reasons_as_unscored_expectations(tmp_path):
    suite = tmp_path / "emoji.yaml"
    suite.write_text(EMOJI_SUITE, encoding="utf-8")
    backend = ToyBackend("toy", tokenizer=ToyTokenizer(ascii_only=True))
    results = harness.run(suite, [backend], cache=False, reference=False).to_dict()
    rows = {r["expectation"]: r for r in results["results"]}
    assert rows["rat: mouse > unicorn"]["error"] == (
        f"mouse: {unseen(MOUSE, '🐭')}; unicorn: {unseen(UNICORN, '🦄')}")
    assert rows["rat: mouse > unicorn"]["sim_closer"] is None
    assert "error" not in rows["rat: hamster > car"]
    assert results["summary"][0]["unscored"] == 1 and results["summary"][0]["status"] == "ok"


EMOJI_SUITE = """\
suite: emoji
tests:
  - id: pets
    contexts:
      mouse: {text: "I love 🐭 so much", word: "🐭"}
      unicorn: {text: "I love 🦄 so much", word: "🦄"}
      rat: {text: "I love rats so much", word: rats}
      hamster: {text: "I love hamsters so much", word: hamsters}
      car: {text: "I love cars so much", word: cars}
    expect:
      - "rat: mouse > unicorn"
      - "rat: hamster > car"
"""


# -- the unknown token of each kind of `tokenizers` model (no torch) --------------------------


def tokenizers_model(kind: str):
    """A tiny `tokenizers.Tokenizer` of each model kind, split on whitespace."""
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers

    words = ["i", "love", "so", "much"]
    if kind == "unigram":
        model = models.Unigram([("<unk>", 0.0)] + [(w, -1.0) for w in words], unk_id=0)
    elif kind == "bpe":
        vocab = {"<unk>": 0, **{c: i + 1 for i, c in enumerate("ilovesmuch")}}
        model = models.BPE(vocab, [], unk_token="<unk>")
    elif kind == "wordlevel":
        model = models.WordLevel({"<unk>": 0, **{w: i + 1 for i, w in enumerate(words)}},
                                 unk_token="<unk>")
    else:  # byte-level BPE: every byte has a token, so nothing is unknown
        model = models.BPE({c: i for i, c in enumerate(pre_tokenizers.ByteLevel.alphabet())}, [])
    tokenizer = tokenizers.Tokenizer(model)
    tokenizer.pre_tokenizer = (pre_tokenizers.ByteLevel(add_prefix_space=False)
                               if kind == "bytelevel" else pre_tokenizers.WhitespaceSplit())
    return tokenizer


@pytest.mark.parametrize("kind", ["unigram", "bpe", "wordlevel"])
def test_each_kind_of_tokenizers_model_names_its_unknown_token(kind):
    tokenizer = tokenizers_model(kind)
    assert find_unknown_id(tokenizer) == 0
    plan = make_plan(items((MOUSE, "🐭"), (MOUSE, "love")), TokenizerSpec(tokenizer), 64)
    assert plan.reasons == {0: unseen(MOUSE, "🐭", token="<unk>")}
    assert plan.seq.tolist() == [-1, 0]


def test_a_byte_level_tokenizer_has_no_unknown_token_and_embeds_an_emoji():
    tokenizer = tokenizers_model("bytelevel")
    assert find_unknown_id(tokenizer) is None
    assert make_plan(items((MOUSE, "🐭")), TokenizerSpec(tokenizer), 64).reasons == {}


def test_the_tf_backends_wordpiece_tokenizer_names_its_unknown_token(tmp_path):
    """backends/tf.py's WordPiece tokenizer (no TensorFlow needed to build it)."""
    pytest.importorskip("tokenizers")
    from harness_backends.tf import wordpiece_spec

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "i", "love", "so", "much",
                                "ice", "-"]) + "\n")
    spec = wordpiece_spec(vocab, uncased=True)
    assert spec.unknown == (1, "[UNK]")
    text = "I love ice-🐭 so much"
    plan = make_plan(items((MOUSE, "🐭"), (text, "ice-🐭"), (text, "ice")), spec, 64)
    assert plan.reasons == {0: unseen(MOUSE, "🐭"), 1: unseen(text, "ice-🐭", "🐭")}


# -- the unknown token on the shipped models ----------------------------------------------------


@pytest.mark.real_model
@pytest.mark.slow
def test_minilm_gives_no_vector_for_an_emoji_and_says_why():
    """Before issue 23, every emoji had one vector (cosine 1.000 between 🐭 and 🦄)."""
    pytest.importorskip("torch")
    vectors = harness.embed("minilm", [(MOUSE, "🐭"), (UNICORN, "🦄"), (MOUSE, "love"),
                                       (MOUSE, None)])
    assert np.isnan(vectors).all(axis=1).tolist() == [True, True, False, False]
    assert np.isfinite(vectors[2:]).all()


@pytest.mark.real_model
@pytest.mark.slow
@pytest.mark.parametrize("name", ["minilm", "minilm-tf"])
def test_the_shipped_models_reasons_name_the_unknown_stretch(name):
    pytest.importorskip("torch" if name == "minilm" else "tensorflow")
    ice = "I love ice-🐭 so much"
    cases = [(MOUSE, "🐭"), ("A ☃ stood in the snow.", "☃"), (ice, "ice-🐭"), (MOUSE, "love 🐭"),
             (ice, "ice")]
    out = harness.get_backend(name).embed(items(*cases))
    assert dict(out.reasons) == {
        0: unseen(MOUSE, "🐭"), 1: unseen("A ☃ stood in the snow.", "☃"),
        2: unseen(ice, "ice-🐭", "🐭"), 3: unseen(MOUSE, "love 🐭", "🐭")}
    assert np.isfinite(out.vectors[4]).all()


@pytest.mark.real_model
@pytest.mark.slow
def test_minilm_reasons_reach_results_json_as_unscored_expectations(tmp_path, capsys):
    pytest.importorskip("torch")
    suite = tmp_path / "emoji.yaml"
    suite.write_text(EMOJI_SUITE, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(suite), "-b", "minilm", "-o", str(out), "--no-cache"]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    [row] = [r for r in results["results"] if r["expectation"] == "rat: mouse > unicorn"]
    assert row["error"] == f"mouse: {unseen(MOUSE, '🐭')}; unicorn: {unseen(UNICORN, '🦄')}"
    assert (row["passed"], row["margin"]) == (False, None)
    assert results["summary"][0]["unscored"] == 1


# -- Unicode normalisation ----------------------------------------------------------------------

NFC, NFD = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")


@pytest.mark.parametrize(("text", "word", "occurrence", "span"), [
    (f"The {NFC} is open.", NFD, None, (4, 8)),  # the word in NFD, the text in NFC
    (f"The {NFD} is open.", NFC, None, (4, 9)),  # the reverse: the span is the text's own
    (f"A {NFD} and a {NFC}.", "CAFÉ", 2, (14, 18)),  # both forms count as occurrences
    (f"A {NFD} and a {NFC}.", NFD, 1, (2, 7)),
    (unicodedata.normalize("NFD", "한국어 문장"), "한국어", None, (0, 8)),  # Hangul, decomposed
])
def test_a_word_and_a_text_in_other_normal_forms_find_each_other(text, word, occurrence, span):
    assert locate_word(text, word, occurrence) == span
    found = text[span[0] : span[1]]
    assert unicodedata.normalize("NFC", found).casefold() == (
        unicodedata.normalize("NFC", word).casefold())


@pytest.mark.parametrize(("text", "word", "stretch", "span"), [
    ("die Straße ist breit", "STRASSE", "Straße", (4, 10)),  # case folding: ß is ss
    ("Ｃａｆｅ au lait", "cafe", "Ｃａｆｅ", (0, 4)),  # full width
    ("a ﬁne day", "fine", "ﬁne", (2, 5)),  # a ligature
])
def test_a_word_found_only_after_folding_is_named_with_its_span(text, word, stretch, span):
    with pytest.raises(ValueError) as caught:
        locate_word(text, word)
    assert str(caught.value) == (
        f"{word!r} does not occur as a whole word in {text!r}; {stretch!r} (characters "
        f"{span[0]}-{span[1]}) differs from it only by Unicode normalisation, width or case "
        f"folding: write the word as the text has it, or give span: [{span[0]}, {span[1]}]")


def test_a_word_is_not_found_inside_a_decomposed_letter():
    """'cafe' is not a whole word of café in NFD (e + a combining accent)."""
    text = f"The {NFD} is open."
    with pytest.raises(ValueError) as caught:
        locate_word(text, "cafe")
    assert str(caught.value) == f"'cafe' does not occur as a whole word in {text!r}"


@pytest.mark.parametrize(("text", "word"), [(f"We met at the {NFC}.", NFD),
                                            (f"We met at the {NFD}.", NFC)])
def test_a_suite_finds_a_word_in_the_other_normal_form(write_suite, text, word):
    path = write_suite(f'suite: s\ntests:\n  - id: t\n    contexts:\n'
                       f'      a: {{text: "{text}", word: "{word}"}}\n'
                       f'      b: {{text: "A bar.", word: bar}}\n'
                       f'      c: {{text: "A car.", word: car}}\n'
                       f'    expect: ["a: b > c"]\n')
    context = load_suite(path).tests[0].contexts["a"]
    start, end = context.span
    assert context.text == text and unicodedata.normalize("NFC", text[start:end]) == NFC


@pytest.mark.parametrize(("text", "word"), [(f"We met at the {NFC}.", NFD),
                                            (f"We met at the {NFD}.", NFC)])
def test_the_api_finds_a_word_in_the_other_normal_form(text, word):
    item = to_item((text, word))
    assert item == Item(text, (14, len(text) - 1))
    assert unicodedata.normalize("NFC", item.word) == NFC
    backend = FakeBackend("f")
    np.testing.assert_array_equal(harness.embed(backend, [(text, word)]),
                                  harness.embed(backend, [item]))


# -- what the API refuses -----------------------------------------------------------------------

LIST = "contexts must be a list of contexts, like [(text, word), ...]; got "
TABLE = (", a table: iterating over it gives its column names or whole rows, not contexts. Pass "
         "its rows as tuples: list(zip(df.text, df.word)) for a DataFrame's columns text and "
         "word, [tuple(row) for row in array] for an array")


def refused_contexts():
    pd = pytest.importorskip("pandas")
    return [
        (pd.DataFrame({"text": ["A mouse ran."], "word": ["mouse"]}),
         f"{LIST}DataFrame of shape (1, 2){TABLE}"),
        (np.array([["A mouse ran.", "mouse"]], dtype=object),
         f"{LIST}ndarray of shape (1, 2){TABLE}"),
        ({"m": ("A mouse ran.", "mouse")},
         f"{LIST}dict, whose keys are no contexts: for labelled contexts, use "
         "harness.similarities, or pass list(contexts.values())"),
        ("A mouse ran.", f"{LIST}str 'A mouse ran.', a single context: put it in a list, "
                         "[sentence]"),
        (("A mouse ran.", "mouse"), f"{LIST}tuple ('A mouse ran.', 'mouse'), a single context: "
                                    "put it in a list, [(text, word)]"),
        (b"A mouse ran.", f"{LIST}bytes: decode the text to a str (data.decode('utf-8')) and "
                          "put each context in a list"),
        (5, f"{LIST}int 5"),
    ]


def test_contexts_of_the_wrong_kind_are_refused_saying_what_to_pass():
    for contexts, message in refused_contexts():
        with pytest.raises(TypeError) as caught:
            harness.embed(FakeBackend("f"), contexts)
        assert str(caught.value) == message


def test_every_sequence_of_contexts_is_taken():
    pd = pytest.importorskip("pandas")
    backend = FakeBackend("f")
    want = harness.embed(backend, [("A mouse ran.", "mouse"), ("A rat ran.", None)])
    for given in [(("A mouse ran.", "mouse"), Item("A rat ran.")),
                  (c for c in [("A mouse ran.", "mouse"), "A rat ran."])]:
        np.testing.assert_array_equal(harness.embed(backend, given), want)
    sentences = ["A mouse ran.", "A rat ran."]
    want = harness.embed(backend, sentences)
    np.testing.assert_array_equal(harness.embed(backend, pd.Series(sentences)), want)
    np.testing.assert_array_equal(harness.embed(backend, np.array(sentences, dtype=object)), want)


@pytest.mark.parametrize(("occurrence", "error", "message"), [
    ("2", TypeError, "context 0: the occurrence (which occurrence of 'mouse' to take) must be an "
                     "int from 1; got '2' (str)"),
    (2.0, TypeError, "context 0: the occurrence (which occurrence of 'mouse' to take) must be an "
                     "int from 1; got 2.0 (float)"),
    (True, TypeError, "context 0: the occurrence (which occurrence of 'mouse' to take) must be "
                      "an int from 1; got True (bool)"),
    (0, ValueError, "context 0: occurrence must be a whole number from 1 (an int: which "
                    "occurrence of the word to take); got 0"),
    (-1, ValueError, "context 0: occurrence must be a whole number from 1 (an int: which "
                     "occurrence of the word to take); got -1"),
])
def test_an_occurrence_must_be_an_int_from_one(occurrence, error, message):
    with pytest.raises(error) as caught:
        harness.embed(FakeBackend("f"), [("A mouse saw a mouse.", "mouse", occurrence)])
    assert str(caught.value) == message


def test_an_occurrence_is_taken_as_any_int_from_one():
    assert to_item(("A mouse saw a mouse.", "mouse", np.int64(2))).span == (14, 19)
    with pytest.raises(ValueError, match="occurs 2 times"):
        to_item(("A mouse saw a mouse.", "mouse", None))


@pytest.mark.parametrize("occurrence", ["2", 2.0, True, 0, -1])
def test_locate_word_refuses_an_occurrence_that_is_no_whole_number_from_one(occurrence):
    with pytest.raises(ValueError) as caught:
        locate_word("A mouse saw a mouse.", "mouse", occurrence)
    assert str(caught.value) == ("occurrence must be a whole number from 1 (an int: which "
                                 f"occurrence of the word to take); got {occurrence!r}")


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"cache": "no"}, TypeError, "cache must be True or False; got 'no'"),
    ({"reference": "yes"}, TypeError, "reference must be True or False; got 'yes'"),
    ({"weak_below": "0.5"}, TypeError,
     "weak_below must be a number (in standard deviations); got '0.5'"),
    ({"weak_below": -1}, ValueError, "weak_below must be a finite number of at least 0; got -1"),
    ({"weak_below": float("nan")}, ValueError,
     "weak_below must be a finite number of at least 0; got nan"),
    ({"executor": 5}, TypeError,
     "executor must be 'local', 'ray' or an executor object (with an embed method); got 5"),
])
def test_run_refuses_arguments_of_the_wrong_kind(registry, arguments, error, message):
    with pytest.raises(error) as caught:
        harness.run(POLYSEMY, "fake", registry=registry, **arguments)
    assert str(caught.value) == message


def test_embed_and_sweep_refuse_a_cache_that_is_no_flag(registry):
    with pytest.raises(TypeError) as caught:
        harness.embed(FakeBackend("f"), ["A mouse."], cache="off")
    assert str(caught.value) == "cache must be True or False; got 'off'"
    with pytest.raises(TypeError) as caught:
        harness.sweep(POLYSEMY, [FakeBackend("f")], cache=1)
    assert str(caught.value) == "cache must be True or False; got 1"


def test_run_takes_an_embedding_cache_object(registry, tmp_path):
    from harness.pipeline.embedding_cache import EmbeddingCache

    store = EmbeddingCache(tmp_path / "c.sqlite")
    results = harness.run(POLYSEMY, "fake", registry=registry, cache=store, reference=False)
    assert results.summary_rows[0].total == 8 and (tmp_path / "c.sqlite").exists()


# -- a context-free backend draws no sense map --------------------------------------------------

CONTEXT_FREE = ("backend 'glove-50d' is context-free: it gives a word one vector wherever it "
                "occurs, so a map of its senses would put every context of the word on one "
                "point; use a contextual backend, such as minilm")


def test_a_context_free_backend_draws_no_sense_map(tmp_path, capsys):
    rows = tmp_path / "senses.tsv"
    rows.write_text("sense\ttext\tword\nA\tA mouse ran.\tmouse\n")
    with pytest.raises(ValueError) as caught:
        harness.senses("glove-50d", file=rows)
    assert str(caught.value) == CONTEXT_FREE
    assert main(["senses", "-b", "glove-50d", "--file", str(rows), "-o",
                 str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"harness: error: {CONTEXT_FREE}\n"
    assert not (tmp_path / "out").exists()
