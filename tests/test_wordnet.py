"""The WordNet database reader, on a small file in WordNet's format and on the real files."""

from __future__ import annotations

import os

import pytest

from harness.wordnet import find_wordnet_dir, read_synsets

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


def test_real_wordnet_3_0():
    try:
        folder = find_wordnet_dir()
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise  # .ci/run installs wordnet-base: missing there is a defect
        pytest.skip("wordnet-base is not installed")
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
    from harness.wordnet import sense_tests

    (tmp_path / "data.noun").write_text(SENSES)
    tests = sense_tests(tmp_path, "n", n_tests=10, seed=0)
    assert len(tests) == 1  # mouse has one sense only
    test = tests[0]
    assert (test.lemma, test.sense_a, test.sense_b) == ("bank", "00000001", "00000002")
    assert test.a1 == "they pulled the canoe up on the bank"
    assert test.b1 == "he cashed a check at the bank"
    assert sense_tests(tmp_path, "n", n_tests=10, seed=0) == tests  # deterministic
