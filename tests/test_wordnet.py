"""The WordNet database reader, on a small file in WordNet's format and on the real files."""

from __future__ import annotations

import pytest

from harness.suites.wordnet import find_wordnet_dir, read_synsets

SAMPLE = """\
  1 This software and database is being provided to you, the LICENSEE, by
  2 Princeton University under the following license.
00835501 04 n 02 blow 2 puff 1 001 @ 00835267 n 0000 | forceful exhalation; "he gave his nose a loud blow"; "he blew out the candles with a single puff"  \n\
00836537 04 n 01 wind_instrument 1 000 | a musical instrument  \n\
"""


def test_read_synsets_from_the_database_format(tmp_path):
    (tmp_path / "data.noun").write_text(SAMPLE)
    synsets = list(read_synsets(tmp_path, "n"))
    assert [s.lemmas for s in synsets] == [("blow", "puff"), ("wind instrument",)]
    assert synsets[0].examples == ("he gave his nose a loud blow",
                                   "he blew out the candles with a single puff")
    assert synsets[1].examples == ()
    assert find_wordnet_dir(tmp_path) == tmp_path


def test_missing_wordnet_says_how_to_install(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install wordnet-base"):
        find_wordnet_dir(tmp_path)


def test_real_wordnet_3_0(wordnet_dir):
    folder = wordnet_dir
    counts = {pos: sum(1 for _ in read_synsets(folder, pos)) for pos in "nvar"}
    assert counts == {"n": 82115, "v": 13767, "a": 18156, "r": 3621}  # WordNet 3.0
    adjective = next(read_synsets(folder, "a"))
    assert adjective.lemmas == ("able",) and "able to swim" in adjective.examples


SENSES = """\
00000001 04 n 01 bank 0 000 | sloping land; "they pulled the canoe up on the bank"; "he sat on the bank of the river"  \n\
00000002 04 n 01 bank 1 000 | a financial institution; "he cashed a check at the bank"  \n\
00000003 04 n 01 mouse 0 000 | a rodent; "a mouse ran"  \n\
00000004 04 n 01 bank 2 000 | a flight maneuver; "the plane made a bank and a banking turn"  \n\
"""


def test_sense_tests_pair_two_examples_of_one_sense_with_another_sense(tmp_path):
    from harness.suites.wordnet import sense_tests

    (tmp_path / "data.noun").write_text(SENSES)
    tests = sense_tests(tmp_path, "n", n_tests=10, seed=0)
    assert len(tests) == 1  # mouse has one sense only
    test = tests[0]
    assert (test.lemma, test.sense_a, test.sense_b) == ("bank", "00000001", "00000002")
    assert test.a1.text == "they pulled the canoe up on the bank" and test.a1.word == "bank"
    assert test.b1.text == "he cashed a check at the bank"
    assert sense_tests(tmp_path, "n", n_tests=10, seed=0) == tests  # deterministic


def test_inflected_forms_are_found_with_wordnet_morphology(tmp_path):
    from harness.suites.wordnet import Morphology, find_form

    (tmp_path / "verb.exc").write_text("ran run\n")
    morphology = Morphology(tmp_path)
    assert find_form("She ran home and runs daily", "run", "v", morphology) == ["ran", "runs"]
    assert find_form("two churches stood there", "church", "n", morphology) == ["churches"]
    assert find_form("ice cream for all", "ice cream", "n", morphology) == ["ice cream"]


def test_once_only_and_min_words(tmp_path):
    from harness.suites.wordnet import Morphology, usable_context

    morphology = Morphology(tmp_path)
    twice = "the bank of the river and the bank of the lake"
    assert usable_context(twice, "bank", "n", morphology, 1, True) is None
    first = usable_context(twice, "bank", "n", morphology, 1, False)
    assert (first.word, first.occurrence) == ("bank", 1)
    assert usable_context("the bank", "bank", "n", morphology, 4, True) is None


def test_make_suite_command(tmp_path, capsys):
    from harness.cli import main
    from harness.suites.validate import load_suite

    (tmp_path / "data.noun").write_text(SENSES)
    out = tmp_path / "wn.yaml"
    assert main(["make-suite", "wordnet", "--wordnet-dir", str(tmp_path), "--pos", "n",
                 "--min-words", "1", "-o", str(out)]) == 0
    suite = load_suite(out)
    assert [str(e) for e in suite.tests[0].expect] == ["a1: a2 > b1"]
    assert "harness make-suite wordnet --pos n" in suite.description
    assert main(["make-suite", "wordnet", "--pos", "x", "-o", str(out)]) == 2


def test_shipped_wordnet_suite():
    from harness.suites.validate import load_suite
    from tests.helpers import ROOT

    suite = load_suite(ROOT / "suites" / "wordnet.yaml")
    assert len(suite.tests) >= 1000
    assert "--seed 0" in suite.description
    assert (ROOT / "suites" / "WORDNET-LICENSE").read_text().count("Princeton") >= 2


@pytest.mark.slow
def test_the_shipped_suite_is_what_the_generator_makes(tmp_path, wordnet_dir):
    """Run for real on WordNet 3.0: the same command gives the same suite, byte for byte."""
    from harness.cli import main
    from tests.helpers import ROOT

    out = tmp_path / "wordnet.yaml"
    assert main(["make-suite", "wordnet", "--tests", "1500", "-o", str(out)]) == 0
    shipped = (ROOT / "suites" / "wordnet.yaml").read_text()
    assert out.read_text().replace(str(out), "suites/wordnet.yaml") == shipped
    licence = (tmp_path / "WORDNET-LICENSE").read_text()  # written beside it, as it says
    assert licence.replace(str(out), "suites/wordnet.yaml") == (
        ROOT / "suites" / "WORDNET-LICENSE").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--tests", "-3"], "--tests must be at least 1"),
    (["--pos", "n,x"], "use n, v, a, r"),
])
def test_make_suite_options_are_checked(tmp_path, capsys, args, message):
    from harness.cli import main

    (tmp_path / "data.noun").write_text(SENSES)
    out = tmp_path / "wn.yaml"
    assert main(["make-suite", "wordnet", "--wordnet-dir", str(tmp_path), *args,
                 "-o", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_pos_order_and_repeats_do_not_matter(tmp_path):
    from harness.cli import main

    (tmp_path / "data.noun").write_text(SENSES)
    (tmp_path / "data.verb").write_text("")
    outs = []
    for pos in ("n,v", "v,n,n"):
        out = tmp_path / f"{pos}.yaml"
        assert main(["make-suite", "wordnet", "--wordnet-dir", str(tmp_path), "--pos", pos,
                     "--min-words", "1", "-o", str(out)]) == 0
        outs.append(out.read_text().replace(str(out), "OUT"))
    assert outs[0] == outs[1]


def test_a_malformed_data_line_names_file_and_line(tmp_path):
    (tmp_path / "data.noun").write_text("00000001 04 n zz bank 0 | gloss\n")
    with pytest.raises(ValueError, match=r"data.noun:1: not a line of WordNet's data format"):
        list(read_synsets(tmp_path, "n"))
