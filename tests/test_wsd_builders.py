"""`harness make-suite wsd` from WordNet's database files, the sense inventory (synset names,
sense keys) built from them, and the shipped wordnet-wsd suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wsd_fixtures import ART, BANK, check_wsd_file, tiny_wordnet

ROOT = Path(__file__).resolve().parent.parent


def _make(tmp_path, *extra: str) -> tuple[int, Path]:
    from harness.cli import main

    out = tmp_path / "out" / "wsd.yaml"
    out.parent.mkdir(exist_ok=True)
    code = main(["make-suite", "wsd", "--wordnet-dir", str(tiny_wordnet(tmp_path / "wn")),
                 "--pos", "n", "-o", str(out), *extra])
    return code, out


def test_a_lemma_with_two_senses_of_two_examples_becomes_a_test(tmp_path, capsys):
    code, out = _make(tmp_path)
    assert code == 0, capsys.readouterr().err
    data = check_wsd_file(out)
    assert "built by: harness make-suite wsd --pos n --min-examples 2" in out.read_text()
    assert data["datasets"] == ["WordNet 3.0"]
    # bank: senses 1 and 2 have examples holding bank/banks; sense 3 one only; ship: one sense
    # art: "art" in both senses' examples
    assert [t["id"] for t in data["tests"]] == ["art.n", "bank.n"]
    bank = data["tests"][1]["wsd"]
    assert bank["senses"] == BANK and bank["wordnet"] is True and bank["lemma"] == "bank"
    assert data["tests"][0]["wsd"]["senses"] == ART
    # sense 1: three examples -> 2 train, 1 test (the share rounded down, one at least)
    assert [c["sense"] for c in bank["train"]].count("bank.n.01") == 2
    assert [c["gold"] for c in bank["test"]].count(["bank.n.01"]) == 1
    assert {c["sense"] for c in bank["train"]} == {"bank.n.01", BANK[1]}
    assert "bank.n.03" not in {g for c in bank["test"] for g in c["gold"]}
    assert [c["id"] for c in bank["test"]] == ["bank.n#1", "bank.n#2"]
    words = {c["word"] for c in bank["train"] + bank["test"]}
    assert words <= {"bank", "banks"}
    texts = [c["text"] for c in bank["train"] + bank["test"]]
    assert len(texts) == len(set(texts)) == 6  # every example once, in train or in test
    assert (out.parent / "WORDNET-LICENSE").is_file()


def test_the_split_is_the_same_for_a_seed_and_moves_with_it(tmp_path):
    from harness.suites.wsd_builder import split

    assert _make(tmp_path)[0] == 0
    first = _make(tmp_path)[1].read_text()
    assert _make(tmp_path)[1].read_text() == first
    examples = list(range(10))
    splits = {tuple(split(examples, seed, "k", 0.3)[1]) for seed in range(20)}
    assert len(splits) > 1
    train, test = split(examples, 0, "k", 0.3)
    assert len(test) == 3 and sorted(train + test) == examples
    assert split([1, 2], 0, "k", 0.01) in (([1], [2]), ([2], [1]))  # one of each
    assert len(split([1, 2], 0, "k", 0.99)[0]) == 1


def test_min_examples_and_limit(tmp_path, capsys):
    code, _ = _make(tmp_path, "--min-examples", "4")
    assert code != 0 and "no WordNet lemma fits" in capsys.readouterr().err
    code, out = _make(tmp_path, "--limit", "1", "--seed", "3")
    assert code == 0
    assert len(check_wsd_file(out)["tests"]) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--min-examples", "1"], "--min-examples 1: at least 2"),
    (["--test-share", "1.5"], "--test-share 1.5"),
    (["--limit", "0"], "--limit 0"),
    (["--pos", "n,x"], "use n, v, a, r"),
    (["extra.xml"], "files and --train are for --format raganato"),
])
def test_options_are_checked_and_nothing_is_written(tmp_path, capsys, args, message):
    code, out = _make(tmp_path, *args)
    assert code != 0 and message in capsys.readouterr().err
    assert not out.exists()


def test_a_suite_that_breaks_the_rules_is_not_written(tmp_path):
    from harness.errors import SuiteError
    from harness.suites.wsd_builder import WsdTest, built

    bad = WsdTest("bank", "n", ["bank.n.01"], [{"text": "a bank", "word": "bank",
                                                 "sense": "bank.n.02"}],
                  [{"id": "x", "text": "a bank", "word": "bank", "gold": ["bank.n.01"]}])
    out = tmp_path / "s.yaml"
    out.write_text("before\n")
    with pytest.raises(SuiteError, match="sense 'bank.n.02' is not one of its senses"):
        built("s", "d", [bad], "here").write(out)
    assert out.read_text() == "before\n"
    empty = WsdTest("art", "n", ["art.n.01"], [], [])
    suite = built("s", "d", [empty], "here")
    assert any("at least one train and one test" in p for p in suite.problems)


def test_synset_names_and_sense_keys_from_the_database_files(tmp_path):
    from harness.suites.sense_keys import SenseInventory

    inventory = SenseInventory(tiny_wordnet(tmp_path))
    assert inventory.senses("bank", "n") == BANK
    assert inventory.senses("Bank", "n") == BANK and inventory.senses("nothing", "n") == []
    assert inventory.sense_keys("n", "00000002") == ["depository_financial_institution%1:06:00::",
                                                    "bank%1:06:00::"]
    assert inventory.synset_of_key("bank%1:06:00::") == BANK[1]
    assert inventory.synset_of_key("bank%1:04:01::") == "bank.n.03"
    assert inventory.synset_of_key("bank%1:99:00::") is None


def test_sense_keys_match_wordnets_sense_index(wordnet_dir):
    """Every key of index.sense (Debian's wordnet-sense-index) names the synset the database
    files give it; adjective satellites' head words included."""
    from harness.suites.sense_keys import SenseInventory

    index = Path(wordnet_dir) / "index.sense"
    if not index.is_file():
        pytest.skip("wordnet-sense-index is not installed")
    inventory = SenseInventory(wordnet_dir)
    ours = inventory.all_keys()
    lines = index.read_text().splitlines()
    assert len(lines) > 200_000
    wrong = [line for line in lines if ours.get(line.split()[0]) != line.split()[1]]
    assert wrong == []
    assert inventory.synset_of_key("bank%1:14:00::") == "depository_financial_institution.n.01"
    assert inventory.synset_of_key("good%5:00:00:bad:00") is None  # no such satellite key
    assert inventory.senses("bank", "n")[:2] == ["bank.n.01",
                                                  "depository_financial_institution.n.01"]


def test_the_shipped_suite_keeps_the_format():
    data = check_wsd_file(ROOT / "suites" / "wordnet-wsd.yaml")
    text = (ROOT / "suites" / "wordnet-wsd.yaml").read_text()
    assert text.startswith("# built by: harness make-suite wsd ")
    assert "WORDNET-LICENSE beside this file" in text
    assert (ROOT / "suites" / "WORDNET-LICENSE").is_file()
    test_contexts = sum(len(t["wsd"]["test"]) for t in data["tests"])
    assert 150 <= len(data["tests"]) and 300 <= test_contexts <= 1000
    assert {t["wsd"]["pos"] for t in data["tests"]} == {"n", "v", "a", "r"}
    assert all(t["wsd"]["wordnet"] for t in data["tests"])


def test_the_shipped_suite_is_read_by_name():
    from harness.suites.named import resolve

    assert resolve("wordnet-wsd").name == "wordnet-wsd.yaml"


@pytest.mark.slow
def test_the_shipped_suite_is_what_the_generator_makes(tmp_path, wordnet_dir):
    from harness.cli import main

    out = tmp_path / "wordnet-wsd.yaml"
    assert main(["make-suite", "wsd", "--min-examples", "3", "-o", str(out)]) == 0
    shipped = (ROOT / "suites" / "wordnet-wsd.yaml").read_text()
    assert out.read_text().replace(str(out), "suites/wordnet-wsd.yaml") == shipped


def _needs_the_wsd_measure() -> None:
    from harness.suites.wsd_builder import _reader_knows_wsd

    if not _reader_knows_wsd():
        pytest.skip("the wsd measure is not in this harness yet")


def test_the_shipped_suite_validates_and_runs_by_name_from_an_empty_folder(tmp_path,
                                                                          monkeypatch):
    from harness.cli import main
    from harness.suites.named import load

    _needs_the_wsd_measure()
    assert len(load("wordnet-wsd").tests) == 178
    monkeypatch.chdir(tmp_path)
    assert main(["run", "wordnet-wsd", "-b", "glove-50d", "-o", "out", "--no-store",
                 "-q"]) == 0
    assert (tmp_path / "out" / "results.json").is_file()


def test_built_suites_pass_the_suite_reader(tmp_path):
    from harness.suites.validate import load_suite

    _needs_the_wsd_measure()
    code, out = _make(tmp_path)
    assert code == 0 and [t.id for t in load_suite(out).tests] == ["art.n", "bank.n"]
