"""harness/backend/alignment.py with a toy tokenizer (tests/toy_models.py): a target's character
span to the tokens it covers (one piece, several, beside punctuation, a second occurrence,
offsets that take in the space before a word), spans refused with their reason, each unique
text tokenized once, windows centred on the target in texts longer than max_length, whole
sentences cut to their first tokens, and decoder-only reading (the text twice)."""

from __future__ import annotations

import pytest

from harness.backend import Item
from harness.backend.alignment import TokenizerSpec, make_plan
from tests.toy_models import CLS, PAD, SEP, ToyTokenizer, bert_spec, piece_id

WORDS = [f"w{i}" for i in range(60)]  # one piece each


def ids_of(pieces: str) -> list[int]:
    """Token ids of pieces written out by hand ("[CLS] a mouse . [SEP]")."""
    special = {"[CLS]": CLS, "[SEP]": SEP}
    return [special.get(p) or piece_id(p) for p in pieces.split()]


def plan_of(items, max_length=64, tokenizer=None, **kwargs):
    return make_plan(items, bert_spec(tokenizer), max_length, **kwargs)


def positions(plan) -> list[list[int]]:
    return [p.tolist() for p in plan.positions]


def test_the_toy_pieces_of_these_tests_have_ids_of_their_own():
    pieces = {*WORDS, *"a mouse is rode ##nt anim ##al . ( , rat ) live rode ##nts the pira ##te "
              "sail ##ed hipp ##opot ##amus ate saw anot ##her mouse. then it ran.".split()}
    assert len({piece_id(p) for p in pieces}) == len(pieces) and CLS < min(map(piece_id, pieces))


def test_a_word_of_one_piece_reads_the_one_token_it_covers():
    text = "A mouse is a rodent animal."
    plan = plan_of([Item(text, (2, 7))])
    assert [s.tolist() for s in plan.sequences] == [
        ids_of("[CLS] a mouse is a rode ##nt anim ##al . [SEP]")]
    assert positions(plan) == [[2]]
    assert plan.seq.tolist() == [0] and plan.sentence.tolist() == [False] and not plan.reasons


@pytest.mark.parametrize(("text", "span", "want"), [
    ("A mouse is a rodent animal.", (13, 19), [5, 6]),  # rode ##nt
    ("A mouse is a RODENT animal.", (13, 19), [5, 6]),  # the toy tokenizer is uncased
    ("Rodents (mouse, rat) live.", (0, 7), [1, 2]),  # rode ##nts, at the start
    ("The hippopotamus ate.", (4, 16), [2, 3, 4]),  # hipp ##opot ##amus
])
def test_a_word_of_several_pieces_reads_all_of_them(text, span, want):
    assert positions(plan_of([Item(text, span)])) == [want]


def test_a_word_after_punctuation_reads_its_own_token_only():
    text = "Rodents (mouse, rat) live."  # [CLS] rode ##nts ( mouse , rat ) live . [SEP]
    plan = plan_of([Item(text, (9, 14)), Item(text, (16, 19))])
    assert positions(plan) == [[4], [6]]


def test_a_piece_that_also_holds_punctuation_is_the_words():
    text = "A mouse. Then it ran."  # whitespace pieces: a | mouse. | then | it | ran.
    plan = plan_of([Item(text, (2, 7)), Item(text, (2, 8))], tokenizer=ToyTokenizer(False))
    assert positions(plan) == [[2], [2]] and not plan.reasons


def test_a_second_occurrence_reads_its_own_token_from_the_same_sequence():
    text = "A mouse saw another mouse."  # [CLS] a mouse saw anot ##her mouse . [SEP]
    plan = plan_of([Item(text, (2, 7)), Item(text, (20, 25))])
    assert positions(plan) == [[2], [6]]
    assert plan.seq.tolist() == [0, 0] and len(plan.sequences) == 1


def test_offsets_that_take_in_the_space_before_a_word_still_align():
    text = "She sat on the river  bank."
    tokenizer = ToyTokenizer(space_prefix=True)
    # [CLS] she Ġsat Ġon Ġthe Ġriver Ġ Ġbank . [SEP]: "Ġsat" is (3, 7), the space included
    assert tokenizer.encode(text).offsets[1] == (3, 7)
    plan = plan_of([Item(text, (4, 7)), Item(text, (15, 26))], tokenizer=tokenizer)
    # the whitespace-only piece between river and bank is no part of the target
    assert positions(plan) == [[2], [5, 7]]


@pytest.mark.parametrize(("span", "pieces"), [((6, 9), "pira ##te"), ((5, 10), "pira ##te"),
                                              ((4, 7), "pira")])
def test_a_span_covering_only_part_of_a_piece_is_refused_with_the_pieces(span, pieces):
    text = "The pirate sailed."  # [CLS] the pira ##te sail ##ed . [SEP]
    plan = plan_of([Item(text, span), Item(text, (11, 17))])
    word = text[span[0] : span[1]]
    assert plan.reasons == {0: (
        f"the target {word!r} (characters {span[0]}-{span[1]} of 'The pirate sailed.') covers "
        f"only part of the word piece(s) '{pieces}'; a model embeds whole pieces: give a span "
        "(or word) that covers them")}
    assert plan.seq.tolist() == [-1, 0]
    assert positions(plan)[1] == [4, 5]  # the other item is unaffected


def test_a_span_that_covers_no_token_is_refused_naming_the_tokens_there():
    """Moved here from tests/test_hf.py (it used a tiny BERT; the message is the same)."""
    plan = plan_of([Item("A mouse  ran.", (7, 8)), Item("A mouse.", (20, 25))])  # a space; beyond
    assert plan.reasons == {
        0: "the target ' ' (characters 7-8 of 'A mouse  ran.') covers no token of the model "
           "(tokens there: mouse ran)",
        1: "the target '' (characters 20-25 of 'A mouse.') covers no token of the model "
           "(tokens there: none)"}
    assert plan.seq.tolist() == [-1, -1] and plan.sequences == []


def test_a_target_longer_than_the_window_is_refused():
    text = "The hippopotamus ate."
    plan = plan_of([Item(text, (4, 16))], max_length=4)  # a window of 4 - 2 = 2 tokens
    assert plan.reasons == {0: (
        "the target 'hippopotamus' (characters 4-16 of 'The hippopotamus ate.') is 3 tokens "
        "long (hipp ##opot ##amus), more than the window of 2 tokens the model's length leaves "
        "room for")}


def test_each_unique_text_is_tokenized_once_and_read_once():
    a, b = "A mouse saw a rat.", "Other text."
    tokenizer = ToyTokenizer()
    items = [Item(a, (2, 7)), Item(a, (14, 17)), Item(a, None), Item(b, (0, 5)), Item(b, (0, 5))]
    plan = plan_of(items, tokenizer=tokenizer)
    assert sorted(tokenizer.texts) == sorted([a, b])
    assert plan.seq.tolist() == [0, 0, 0, 1, 1]
    assert plan.sentence.tolist() == [False, False, True, False, False]
    # a whole-sentence item reads every position, the template included
    assert positions(plan)[2] == list(range(8)) == list(range(len(plan.sequences[0])))


# -- windows --------------------------------------------------------------------------------------


def long_text(target: str, at: int) -> tuple[str, tuple[int, int]]:
    """WORDS with `target` inserted before WORDS[at], and the target's span."""
    words = WORDS[:at] + [target] + WORDS[at:]
    start = len(" ".join(words[:at])) + (1 if at else 0)
    return " ".join(words), (start, start + len(target))


@pytest.mark.parametrize(("target", "at", "window", "want"), [
    # max_length 12 leaves 10 tokens: 4 before a one-piece target and 5 after it ...
    ("mouse", 45, "w41 w42 w43 w44 mouse w45 w46 w47 w48 w49", [5]),
    # ... 3 before a three-piece target and 4 after it
    ("hippopotamus", 45, "w42 w43 w44 hipp ##opot ##amus w45 w46 w47 w48", [4, 5, 6]),
    # at the edges the window stops at the text's ends (moved here from tests/test_hf.py)
    ("mouse", 0, "mouse w0 w1 w2 w3 w4 w5 w6 w7 w8", [1]),
    ("mouse", 60, "w51 w52 w53 w54 w55 w56 w57 w58 w59 mouse", [10]),
])
def test_a_long_text_is_cut_to_a_window_centred_on_the_target(target, at, window, want):
    text, span = long_text(target, at)
    plan = plan_of([Item(text, span)], max_length=12)
    assert [s.tolist() for s in plan.sequences] == [ids_of(f"[CLS] {window} [SEP]")]
    assert positions(plan) == [want]


def test_a_text_that_fits_is_never_cut():
    text = " ".join(WORDS[:10])  # 10 tokens + [CLS] and [SEP] = max_length
    plan = plan_of([Item(text, (0, 2)), Item(text, (len(text) - 3, len(text)))], max_length=12)
    assert len(plan.sequences) == 1 and len(plan.sequences[0]) == 12
    assert positions(plan) == [[1], [10]]


def test_targets_of_one_long_text_share_a_window_only_when_it_is_the_same():
    text = " ".join(WORDS)
    spans = [(text.index(w), text.index(w) + len(w)) for w in ("w30", "w31", "w50")]
    plan = plan_of([Item(text, s) for s in spans], max_length=12)
    # w30 and w31: windows w26..w35 and w27..w36 differ; each target has its own sequence
    assert plan.seq.tolist() == [0, 1, 2]
    assert [s[1] for s in plan.sequences] == [piece_id(w) for w in ("w26", "w27", "w46")]
    again = plan_of([Item(text, spans[2]), Item(text, spans[2])], max_length=12)
    assert again.seq.tolist() == [0, 0]


@pytest.mark.parametrize("target", ["mouse", "hippopotamus"])
def test_the_window_agrees_with_the_family_tests_reference_at_every_place(target):
    """The reference of tests/model_families.py cuts its window independently; both keep the
    same tokens wherever the target is."""
    from tests.model_families import _window

    max_length, pieces = 8, len(ToyTokenizer().encode(target).ids)
    for at in range(31):
        text, span = long_text(target, at)
        text = " ".join(text.split()[:31])  # 30 words and the target
        n = 30 + pieces
        special = [1] + [0] * n + [1]
        keep = _window(special, list(range(at + 1, at + 1 + pieces)), max_length)
        full = ids_of("[CLS]") + ToyTokenizer().encode(text).ids + ids_of("[SEP]")
        plan = plan_of([Item(text, span)], max_length=max_length)
        assert plan.sequences[0].tolist() == [full[i] for i in keep], at
        assert plan.positions[0].tolist() == [keep.index(i) for i in range(at + 1,
                                                                            at + 1 + pieces)]


def test_the_family_tests_window_keeps_the_special_tokens_and_centres_the_target():
    """Moved here from tests/test_model_families.py: the reference's window is plain Python."""
    from tests.model_families import _window

    special = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]  # 10 text tokens at positions 1..10
    assert _window(special, [5, 6], 6) == [0, 4, 5, 6, 7, 11]
    assert _window(special, [1], 6) == [0, 1, 2, 3, 4, 11]
    assert _window(special, [10], 6) == [0, 7, 8, 9, 10, 11]
    with pytest.raises(ValueError):
        _window(special, [2, 9], 6)


def test_a_whole_sentence_is_cut_to_its_first_tokens_and_counted():
    text = " ".join(WORDS[:12])
    plan = plan_of([Item(text, None), Item(text, (text.index("w11"), len(text)))],
                   max_length=64, sentence_max_length=6)
    assert plan.cut_sentences == 1
    assert plan.sequences[0].tolist() == ids_of("[CLS] w0 w1 w2 w3 [SEP]")
    assert len(plan.sequences[1]) == 14 and positions(plan)[1] == [12]  # a word: not cut
    short = plan_of([Item("A mouse.", None)], max_length=64, sentence_max_length=6)
    assert short.cut_sentences == 0


def test_decoder_only_reading_takes_the_target_in_the_second_copy():
    tokenizer = ToyTokenizer()
    plan = plan_of([Item("A mouse.", (2, 7)), Item("A mouse.", None)], tokenizer=tokenizer,
                   repeat=True)
    assert [s.tolist() for s in plan.sequences] == [
        ids_of("[CLS] a mouse . a mouse . [SEP]"), ids_of("[CLS] a mouse . [SEP]")]
    assert positions(plan)[0] == [5]  # not 2: the first copy
    assert sorted(tokenizer.texts) == ["A mouse.", "A mouse. A mouse."]


def test_the_template_is_whatever_the_spec_says():
    spec = bert_spec()
    assert (spec.prefix, spec.suffix, spec.pad_id, spec.specials) == ((CLS,), (SEP,), PAD, 2)
    bare = make_plan([Item("A mouse.", (2, 7))], TokenizerSpec(ToyTokenizer()), 64)
    assert bare.sequences[0].tolist() == ids_of("a mouse .") and positions(bare) == [[1]]
    gpt = TokenizerSpec(ToyTokenizer(), prefix=(7,), suffix=())
    plan = make_plan([Item("A mouse.", (2, 7))], gpt, 64)
    assert plan.sequences[0].tolist() == [7, *ids_of("a mouse .")] and positions(plan) == [[2]]


# -- the unknown token (issue 23; more in tests/test_unseen_and_input.py) -------------------------


def test_a_word_inside_a_piece_read_as_unknown_is_refused_naming_the_piece():
    """Split on whitespace only, "mouse🐭" is one piece, read as [UNK]: "mouse" inside it has
    no vector, and the reason names the whole piece."""
    tokenizer = ToyTokenizer(punctuation=False, ascii_only=True)
    plan = plan_of([Item("A mouse🐭 ran.", (2, 7)), Item("A mouse ran.", (2, 7))],
                   tokenizer=tokenizer)
    assert plan.reasons == {0: (
        "the tokenizer reads 'mouse🐭' in the target 'mouse' (characters 2-7 of 'A mouse🐭 "
        "ran.') as its unknown token [UNK]: the model cannot see it")}
    assert plan.seq.tolist() == [-1, 0]


def test_an_unknown_target_read_twice_is_named_in_the_text_as_given():
    plan = plan_of([Item("A 🐭 ran.", (2, 3))], tokenizer=ToyTokenizer(ascii_only=True),
                   repeat=True)
    assert plan.reasons == {0: (
        "the tokenizer reads the target '🐭' (characters 2-3 of 'A 🐭 ran.') as its unknown "
        "token [UNK]: the model cannot see it")}


def test_a_partial_span_is_refused_as_partial_before_it_is_unknown():
    plan = plan_of([Item("The hippopotamuś ate.", (4, 14))],  # hipp ##opot [UNK] (amuś)
                   tokenizer=ToyTokenizer(ascii_only=True))
    assert plan.reasons == {0: (
        "the target 'hippopotam' (characters 4-14 of 'The hippopotamuś ate.') covers only part "
        "of the word piece(s) 'hipp ##opot [UNK]'; a model embeds whole pieces: give a span (or "
        "word) that covers them")}
