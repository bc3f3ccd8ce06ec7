"""`harness make-suite pairs`: each rating data set's reader on a small file written here in that
data set's exact layout, the suite it makes, type vectors from a file of sentences, and what a
wrong file says."""

from __future__ import annotations

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.suites.builders import SentenceFinder, pairs_suite
from harness.suites.pair_formats import FORMATS, marked, read_pairs
from harness.suites.validate import load_suite

FILES = {
    "wordsim353": ("# The WordSimilarity-353 Test Collection (http://...)\n"
                   "# Word 1\tWord 2\tHuman (mean)\n"
                   "love\tsex\t6.77\ntiger\tcat\t7.35\ntiger\ttiger\t10.00\n"),
    "wordsim353-original": ("Word 1,Word 2,Human (mean)\nlove,sex,6.77\ntiger,cat,7.35\n"
                            "tiger,tiger,10.00\n"),
    "simlex999": ("# The SimLex-999 Test data (https://...)\n# Word 1\tWord 2\tHuman (mean)\n"
                  "old\tnew\t1.58\nsmart\tintelligent\t9.2\nhard\tdifficult\t8.77\n"),
    "simlex999-original": (
        "word1\tword2\tPOS\tSimLex999\tconc(w1)\tconc(w2)\tconcQ\tAssoc(USF)\tSimAssoc333\t"
        "SD(SimLex)\n"
        "old\tnew\tA\t1.58\t2.72\t2.81\t2\t7.25\t1\t0.41\n"
        "smart\tintelligent\tA\t9.2\t1.75\t2.46\t1\t7.11\t1\t0.67\n"
        "hard\tdifficult\tA\t8.77\t3.76\t2.21\t2\t5.94\t1\t1.19\n"),
    "men": "sun sunlight 50.000000\nautomobile car 50.000000\nriver water 49.000000\n",
    "men-lemma": "sun-n sunlight-n 50.000000\nautomobile-n car-n 50.000000\n"
                 "river-n water-n 49.000000\n",
    "scws": (
        "1\tBrazil\tn\tnut\tn\tgap in income between blacks and other non-whites is relatively "
        "small compared to the large gap between whites and non-whites . <b> Brazil </b> is "
        "also known for\tof the nut , can be used . The shell is removed from the <b> nut "
        "</b> and ground into\t1.1\t0\t0\t0\t0\t0\t0\t0\t3\t6\t2\n"
        "2\tBrazil\tn\tnut\tn\tAs in <b> Brazil </b> today\tA hard <b> nut </b> to crack\t"
        "2.5\t1\t2\t3\t4\t1\t2\t3\t4\t3\t2\n"
        "3\tbank\tn\tmoney\tn\tThe <b>bank</b> lent money\tmoney from the <b>money</b> box\t"
        "8.0\t8\t8\t8\t8\t8\t8\t8\t8\t8\t8\n"),
    "cosimlex": (
        "word1\tword2\tcontext1\tcontext2\tsim1\tsim2\tstdev1\tstdev2\tpvalue\t"
        "word1_context1\tword2_context1\tword1_context2\tword2_context2\n"
        "absence\tpresence\tThe <strong>presence</strong> of troops, and the "
        "<strong>absence</strong> of a plan.\tIn the <strong>absence</strong> of rain his "
        "<strong>presence</strong> was felt.\t2.27\t1.37\t2.89\t1.79\t0.24\tabsence\tpresence"
        "\tabsence\tpresence\n"
        "cup\tcoffee\tA <strong>cup</strong> of hot <strong>coffee</strong>.\tThe "
        "<strong>coffee</strong> spilled from the <strong>cup</strong>.\t3.1\t2.0\t1\t1\t0.5"
        "\tcup\tcoffee\tcup\tcoffee\n"),
    "usim": ("The bank of the river flooded .\t1\t4.5\n"
             "He walked along the bank .\t4\t4.5\n"
             "The bank raised its rates .\t1\t1.25\n"
             "She sat on the river bank .\t5\t1.25\n"
             "A bank holiday .\t1\t3\n"
             "bank on it\t0\t3\n"),
    "stsb": ("main-captions\tMSRvid\t2012test\t0001\t5.000\tA plane is taking off.\t"
             "An air plane is taking off.\n"
             "main-captions\tMSRvid\t2012test\t0004\t3.800\tA man is playing a large flute.\t"
             "A man is playing a flute.\n"
             "main-news\theadlines\t2015\t0005\t0.500\tStocks fell.\tA cat sleeps.\t"
             "extra-source\tcolumns\n"),
    "sick": ("pair_ID\tsentence_A\tsentence_B\tentailment_label\trelatedness_score\t"
             "entailment_AB\tentailment_BA\tsentence_A_original\tsentence_B_original\t"
             "sentence_A_dataset\tsentence_B_dataset\tSemEval_set\n"
             "1\tA group of kids is playing in a yard\tA group of boys in a yard is playing\t"
             "NEUTRAL\t4.5\tA_neutral_B\tB_neutral_A\t-\t-\tFLICKR\tFLICKR\tTRAIN\n"
             "2\tA man is playing a flute\tThere is no man playing a flute\tCONTRADICTION\t"
             "3.6\tA_contradicts_B\tB_contradicts_A\t-\t-\tFLICKR\tFLICKR\tTEST\n"
             "3\tA cat sleeps\tThe market fell\tNEUTRAL\t1.0\tA_neutral_B\tB_neutral_A\t-\t-\t"
             "FLICKR\tFLICKR\tTRIAL\n"),
}
FORMAT_OF = {name: name.split("-")[0] for name in FILES}


def write(tmp_path, name: str):
    path = tmp_path / f"{name}.txt"
    path.write_text(FILES[name], encoding="utf-8")
    return path


def side_text(side: dict) -> str:
    """What a side names: the word alone, or the marked word of its text, or the sentence."""
    if "span" in side:
        start, end = side["span"]
        return side["text"][start:end]
    return side.get("word") or side["text"]


@pytest.mark.parametrize("name", FILES)
def test_each_format_reads_its_files_and_makes_a_valid_suite(tmp_path, name):
    path = write(tmp_path, name)
    built = pairs_suite(path, FORMAT_OF[name], output=str(tmp_path / "s.yaml"))
    suite = load_suite(built.write(tmp_path / "s.yaml"))
    [test] = suite.tests
    assert suite.name == test.id == FORMAT_OF[name] and test.graded
    assert test.scale == FORMATS[FORMAT_OF[name]].scale
    assert len(test.pairs) == {"cosimlex": 4}.get(FORMAT_OF[name], 3)


EXPECTED = {
    "wordsim353": [("love", "sex", 6.77), ("tiger", "cat", 7.35), ("tiger", "tiger", 10.0)],
    "wordsim353-original": [("love", "sex", 6.77), ("tiger", "cat", 7.35),
                            ("tiger", "tiger", 10.0)],
    "simlex999": [("old", "new", 1.58), ("smart", "intelligent", 9.2),
                  ("hard", "difficult", 8.77)],
    "simlex999-original": [("old", "new", 1.58), ("smart", "intelligent", 9.2),
                           ("hard", "difficult", 8.77)],
    "men": [("sun", "sunlight", 50.0), ("automobile", "car", 50.0), ("river", "water", 49.0)],
    "men-lemma": [("sun", "sunlight", 50.0), ("automobile", "car", 50.0),
                  ("river", "water", 49.0)],
    "scws": [("Brazil", "nut", 1.1), ("Brazil", "nut", 2.5), ("bank", "money", 8.0)],
    "cosimlex": [("absence", "presence", 2.27), ("absence", "presence", 1.37),
                 ("cup", "coffee", 3.1), ("cup", "coffee", 2.0)],
    "usim": [("bank", "bank", 4.5), ("bank", "bank", 1.25), ("bank", "bank", 3.0)],
    "stsb": [("A plane is taking off.", "An air plane is taking off.", 5.0),
             ("A man is playing a large flute.", "A man is playing a flute.", 3.8),
             ("Stocks fell.", "A cat sleeps.", 0.5)],
    "sick": [("A group of kids is playing in a yard", "A group of boys in a yard is playing",
              4.5), ("A man is playing a flute", "There is no man playing a flute", 3.6),
             ("A cat sleeps", "The market fell", 1.0)],
}


@pytest.mark.parametrize("name", FILES)
def test_each_format_gives_the_pairs_its_file_holds(tmp_path, name):
    pairs = read_pairs(write(tmp_path, name), FORMAT_OF[name])
    assert [(side_text(p.a), side_text(p.b), p.score) for p in pairs] == EXPECTED[name]


def test_marked_words_keep_their_place_in_the_cleaned_text():
    text, spans = marked("from the <b> nut </b> and  ground into", "<b>", "</b>")
    assert text == "from the nut and ground into" and spans == [(9, 12)]
    text, spans = marked("The <strong>presence</strong> and <strong>absence</strong>.",
                         "<strong>", "</strong>")
    assert [text[s:e] for s, e in spans] == ["presence", "absence"]


def test_cosimlex_puts_word1_first_whatever_its_place(tmp_path):
    first, second, *_ = read_pairs(write(tmp_path, "cosimlex"), "cosimlex")
    assert side_text(first.a) == "absence" and side_text(first.b) == "presence"
    assert first.a["text"] == "The presence of troops, and the absence of a plan."
    assert second.a["text"] == "In the absence of rain his presence was felt."


WRONG = {
    "a rating that is text": ("wordsim353", "love\tsex\t6.77\ntiger\tcat\tlots\n",
                              ":2: the rating 'lots'"),
    "too few pairs": ("men", "a b 1\nc d 2\n", "2 pairs; a graded test needs at least 3"),
    "too few fields": ("stsb", "a\tb\tc\n", ":1: expected genre"),
    "an unmarked target": ("scws", "1\ta\tn\tb\tn\tno marks\tnone\t2.0\n",
                           ":1: expected 1 word(s) marked <b>...</b>"),
    "usim, odd lines": ("usim", "The bank .\t1\t4.5\n", "two lines (the two usages)"),
    "usim, two ratings": ("usim", "The bank .\t1\t4.5\nA bank .\t1\t2\n", "must be one"),
    "sick without its header": ("sick", "1\ta\tb\n", "no column 'sentence_A'"),
    "an empty file": ("men", "\n\n", "no pairs in the file"),
    "a first line that is no header": ("wordsim353", "love\tsex\tabc\ntiger\tcat\t7\na\tb\t3\n",
                                       ":1: the rating 'abc' is not a number"),
    "a sentence for a word (Usim's file)": (
        "wordsim353", "The bank is shut .\t1\t4.5\nA bank .\t1\t2\nx y .\t1\t3\n",
        ":1: 'The bank is shut .' is not one word; is this the right --format?"),
    "a rating outside the scale": ("wordsim353", "love\tsex\t6.77\ntiger\tcat\t17.35\na\tb\t3\n",
                                   ":2: the rating 17.35 is outside WordSim-353 (Finkelstein "
                                   "et al. 2002)'s scale [0, 10]"),
    "SimLex's header without SimLex999": (
        "simlex999", "word1\tword2\tPOS\tSim\nold\tnew\tA\t1.58\nsmart\tclever\tA\t9\n"
        "a\tb\tA\t3\n", ":1: the header has no column 'SimLex999'"),
}


@pytest.mark.parametrize("fmt, text, message", WRONG.values(), ids=WRONG.keys())
def test_a_wrong_file_names_the_file_line_and_format(tmp_path, fmt, text, message):
    path = tmp_path / "data.txt"
    path.write_text(text)
    with pytest.raises(HarnessError) as info:
        read_pairs(path, fmt)
    assert str(path) in str(info.value) and message in str(info.value)


def test_words_alone_become_type_vectors_over_the_first_sentences_that_hold_them(tmp_path):
    sentences = tmp_path / "sentences.txt"
    sentences.write_text("The tiger slept.\nA cat, a tiger and a dog.\nTigers roam.\n"
                         "Love is all.\nA cat.\nOne more cat here.\n")
    built = pairs_suite(write(tmp_path, "wordsim353"), "wordsim353", name="ws-types",
                        contexts=sentences, per_word=2, output=str(tmp_path / "t.yaml"))
    suite = load_suite(built.write(tmp_path / "t.yaml"))
    love_sex, tiger_cat, _ = suite.tests[0].pairs
    assert love_sex.a.kind == "type" and [i.text for i in love_sex.a.items] == ["Love is all."]
    assert love_sex.b.kind == "word"  # in no sentence: stays alone
    assert [i.text for i in tiger_cat.a.items] == ["The tiger slept.",
                                                   "A cat, a tiger and a dog."]
    assert [i.text for i in tiger_cat.b.items] == ["A cat, a tiger and a dog.", "A cat."]
    assert "3 of 4 words found there" in suite.description
    again = pairs_suite(write(tmp_path, "wordsim353"), "wordsim353", name="ws-types",
                        contexts=sentences, per_word=2, output=str(tmp_path / "t.yaml"))
    assert again.text == built.text  # deterministic


def test_the_sentence_finder_matches_whole_words_only(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("A catalogue.\nThe cat sat.\nNew York is big.\n")
    finder = SentenceFinder(path)
    assert finder.sentences("cat", 5) == ["The cat sat."]
    assert finder.sentences("new york", 5) == ["New York is big."]


def test_the_command_writes_the_suite(tmp_path, capsys):
    out = tmp_path / "ws.yaml"
    assert main(["make-suite", "pairs", str(write(tmp_path, "wordsim353")), "--format",
                 "wordsim353", "-o", str(out), "--name", "mine"]) == 0
    assert "a graded test of" in capsys.readouterr().out
    suite = load_suite(out)
    assert suite.name == "mine" and "--name mine" in suite.description
    with pytest.raises(SystemExit) as info:  # argparse: an unknown format
        main(["make-suite", "pairs", str(out), "--format", "nope", "-o", str(out)])
    assert info.value.code == 2


def test_the_command_refuses_to_write_over_its_input(tmp_path, capsys):
    data = write(tmp_path, "wordsim353")
    before = data.read_text()
    assert main(["make-suite", "pairs", str(data), "--format", "wordsim353", "-o",
                 str(data)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert data.read_text() == before


def test_a_suite_that_would_not_validate_writes_nothing(tmp_path):
    from harness.errors import SuiteError
    from harness.suites.builders import BuiltSuite

    out = tmp_path / "keep.yaml"
    out.write_text("kept\n")
    broken = BuiltSuite("b", "schema: 3\nsuite: b\ntests:\n  - id: t\n    pairs: []\n", 1, 1,
                        "data.txt", {"LICENSE-B": "text"})
    with pytest.raises(SuiteError) as info:
        broken.write(out)
    assert "nothing written: the suite made from data.txt would not be valid" in str(info.value)
    assert f"{out}:5" in str(info.value)
    assert out.read_text() == "kept\n" and not (tmp_path / "LICENSE-B").exists()


def test_options_that_would_do_nothing_say_so(tmp_path, capsys):
    data = write(tmp_path, "wordsim353")
    assert main(["make-suite", "pairs", str(data), "--format", "wordsim353", "-o",
                 str(tmp_path / "a.yaml"), "--per-word", "3"]) == 0
    assert "--per-word 3 has no effect without --contexts" in capsys.readouterr().err
    sentences = tmp_path / "s.txt"
    sentences.write_text("A man plays.\n")
    assert main(["make-suite", "pairs", str(write(tmp_path, "stsb")), "--format", "stsb", "-o",
                 str(tmp_path / "b.yaml"), "--contexts", str(sentences)]) == 0
    assert "have no word alone to turn into a type vector" in capsys.readouterr().err
