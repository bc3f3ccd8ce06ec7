"""`harness make-suite wsd --format raganato`: Raganato et al.'s XML and gold key files (the
layout of their WSD_Evaluation_Framework, written here to the letter), streamed, their sense
keys mapped to WordNet synset names; malformed files refused with file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wsd_fixtures import ART, BANK, check_wsd_file, tiny_wordnet

TEST_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<corpus lang="en" source="senseval2">
<text id="d000">
<sentence id="d000.s000">
<wf lemma="the" pos="DET">The</wf>
<instance id="d000.s000.t000" lemma="art" pos="NOUN">art</instance>
<wf lemma="of" pos="ADP">of</wf>
<wf lemma="change" pos="NOUN">change</wf>
<wf lemma="." pos=".">.</wf>
</sentence>
<sentence id="d000.s001">
<wf lemma="she" pos="PRON">She</wf>
<wf lemma="walk" pos="VERB">walked</wf>
<wf lemma="to" pos="ADP">to</wf>
<wf lemma="the" pos="DET">the</wf>
<instance id="d000.s001.t000" lemma="bank" pos="NOUN">bank</instance>
<wf lemma="." pos=".">.</wf>
</sentence>
</text>
<text id="d001">
<sentence id="d001.s000">
<instance id="d001.s000.t000" lemma="ship" pos="NOUN">Ships</instance>
<wf lemma="sail" pos="VERB">sail</wf>
</sentence>
</text>
</corpus>
"""
TEST_GOLD = ("d000.s000.t000 art%1:09:00::\r\n"
             "d000.s001.t000 bank%1:17:00:: bank%1:06:00::\r\n"
             "d001.s000.t000 ship%1:14:00::\r\n")
TRAIN_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<corpus lang="en" source="semcor">
<text id="d000" source="br-a01">
<sentence id="d000.s000">
<wf lemma="the" pos="DET">The</wf>
<instance id="d000.s000.t000" lemma="bank" pos="NOUN">bank</instance>
<instance id="d000.s000.t001" lemma="lend" pos="VERB">lends</instance>
<wf lemma="money" pos="NOUN">money</wf>
</sentence>
<sentence id="d000.s001">
<wf lemma="modern" pos="ADJ">Modern</wf>
<instance id="d000.s001.t000" lemma="art" pos="NOUN">art</instance>
<wf lemma="and" pos="CONJ">and</wf>
<instance id="d000.s001.t001" lemma="bank" pos="NOUN">river banks</instance>
</sentence>
</text>
</corpus>
"""
TRAIN_GOLD = ("d000.s000.t000 bank%1:06:00::\n"
              "d000.s000.t001 lend%2:40:00::\n"
              "d000.s001.t000 art%1:09:00::\n"
              "d000.s001.t001 bank%1:17:00::\n")


def _files(tmp_path: Path, test_xml=TEST_XML, test_gold=TEST_GOLD, train_gold=TRAIN_GOLD):
    paths = {}
    for name, text in (("test.data.xml", test_xml), ("test.gold.key.txt", test_gold),
                       ("semcor.data.xml", TRAIN_XML), ("semcor.gold.key.txt", train_gold)):
        paths[name] = tmp_path / name
        paths[name].write_bytes(text.encode("utf-8"))
    return paths


def _make(tmp_path, *extra, train=True, **files):
    from harness.cli import main

    paths = _files(tmp_path, **files)
    out = tmp_path / "suite.yaml"
    args = ["make-suite", "wsd", "--format", "raganato", str(paths["test.data.xml"]),
            str(paths["test.gold.key.txt"]), "-o", str(out),
            "--wordnet-dir", str(tiny_wordnet(tmp_path / "wn"))]
    if train:
        args += ["--train", str(paths["semcor.data.xml"]), str(paths["semcor.gold.key.txt"])]
    return main([*args, *extra]), out


def test_reads_the_exact_layout(tmp_path, capsys):
    code, out = _make(tmp_path)
    assert code == 0, capsys.readouterr().err
    data = check_wsd_file(out)
    assert data["suite"] == "test"
    art, bank = data["tests"]  # ship: not in the training file, left out and said
    assert (art["id"], bank["id"]) == ("art.n", "bank.n")
    assert art["wsd"]["senses"] == ART and bank["wsd"]["senses"] == BANK
    assert bank["wsd"]["wordnet"] is True
    test = art["wsd"]["test"][0]
    assert test == {"id": "d000.s000.t000", "text": "The art of change .", "span": [4, 7],
                    "gold": ["art.n.01"]}
    both = bank["wsd"]["test"][0]
    assert both["text"][slice(*both["span"])] == "bank" and both["text"] == (
        "She walked to the bank .")
    assert both["gold"] == ["bank.n.01", BANK[1]]  # several gold keys, in the file's order
    train = bank["wsd"]["train"]
    assert [(t["text"][slice(*t["span"])], t["sense"]) for t in train] == [
        ("bank", BANK[1]), ("river banks", "bank.n.01")]  # a multi-word token's whole text
    assert "1 test instances of 1 lemmas left out: no training context" in data["description"]
    assert data["datasets"] == ["test.data.xml (Raganato et al. 2017)", "semcor.data.xml"]


def test_without_wordnet_the_sense_keys_are_the_senses(tmp_path, monkeypatch, caplog):
    import harness.suites.wordnet as wordnet
    from harness.suites.raganato import raganato_tests

    monkeypatch.setattr(wordnet, "DEFAULT_DIRS", ())
    monkeypatch.delenv("WNSEARCHDIR", raising=False)
    paths = _files(tmp_path)
    tests, left_out, lemmas = raganato_tests(*paths.values())
    assert "not installed" in caplog.text and (left_out, lemmas) == (1, 3)
    bank = tests[1]
    assert bank.senses == ["bank%1:17:00::", "bank%1:06:00::"] and not bank.wordnet


def test_training_data_is_required(tmp_path, capsys):
    code, out = _make(tmp_path, train=False)
    err = capsys.readouterr().err
    assert code != 0 and "needs --train XML GOLD" in err and "semcor.data.xml" in err
    assert not out.exists()


@pytest.mark.parametrize(("files", "message"), [
    ({"test_xml": TEST_XML.replace(">of</wf>", ">of</w>")},
     r"test\.data\.xml:7:\d+: not well-formed XML \(mismatched tag"),
    ({"test_xml": TEST_XML.replace('pos="NOUN">art', 'pos="NN">art')},
     "instance[d000.s000.t000] has pos='NN'; fix: one of NOUN, VERB, ADJ, ADV"),
    ({"test_xml": TEST_XML.replace(' lemma="art" pos', " pos")},
     "has no lemma attribute"),
    ({"test_xml": TEST_XML.replace('"NOUN">art<', '"NOUN"><')},
     "corpus/text[@id='d000']/sentence[@id='d000.s000']/instance[@id='d000.s000.t000'] has "
     "no text"),
    ({"test_xml": TEST_XML.replace("<corpus", "<korpus").replace("</corpus", "</korpus")},
     "the root element is <korpus>"),
    ({"test_gold": TEST_GOLD.replace("d000.s001.t000 bank%1:17:00:: bank%1:06:00::\r\n", "")},
     "instance 'd000.s001.t000' has no line in"),
    ({"test_gold": TEST_GOLD.replace("ship%1:14:00::", "ship%1:99:00::")},
     r"test.gold.key.txt:3: sense key 'ship%1:99:00::' is not in WordNet 3.0"),
    ({"test_gold": TEST_GOLD.replace(" art%1:09:00::", "")},
     r"test.gold.key.txt:1: instance 'd000.s000.t000' has no sense key"),
    ({"test_gold": TEST_GOLD + "d000.s000.t000 art%1:09:00::\n"},
     "test.gold.key.txt:4: instance 'd000.s000.t000' is also on line 1"),
    ({"train_gold": TRAIN_GOLD.replace("d000.s001.t001 bank%1:17:00::\n", "")},
     "semcor.data.xml: instance 'd000.s001.t001' has no line in"),
])
def test_malformed_files_are_refused_and_nothing_is_written(tmp_path, capsys, files, message):
    import re

    code, out = _make(tmp_path, **files)
    err = capsys.readouterr().err
    assert code != 0 and re.search(message if "\\" in message else re.escape(message), err), err
    assert not out.exists()


def test_output_may_not_be_an_input(tmp_path, capsys):
    from harness.cli import main

    paths = _files(tmp_path)
    before = paths["test.gold.key.txt"].read_text()
    code = main(["make-suite", "wsd", "--format", "raganato", str(paths["test.data.xml"]),
                 str(paths["test.gold.key.txt"]), "--train", str(paths["semcor.data.xml"]),
                 str(paths["semcor.gold.key.txt"]), "-o", str(paths["semcor.gold.key.txt"])])
    assert code != 0 and "would destroy the data" in capsys.readouterr().err
    assert paths["test.gold.key.txt"].read_text() == before


def test_key_lines_end_only_in_newlines(tmp_path):
    from harness.suites.raganato import read_keys

    path = tmp_path / "k.txt"
    path.write_bytes(b"a x%1:00:00::\r\nb y%1:00:00:: z%1:00:00::\n\nc w\xc2\x85%1:00:00::\n")
    keys = read_keys(path)
    assert keys["a"] == (["x%1:00:00::"], 1) and keys["b"] == (["y%1:00:00::",
                                                                "z%1:00:00::"], 2)
    assert keys["c"][1] == 4  # U+0085 (NEL) does not end a line here, as str.splitlines would


def synthetic_corpus(path: Path, sentences: int, per_sentence: int = 4) -> int:
    """A Raganato XML file of `sentences` sentences (12 tokens, `per_sentence` instances)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<corpus lang="en" source="x">\n')
        for d in range(0, sentences, 100):
            out.write(f'<text id="d{d:06d}">\n')
            for s in range(d, min(d + 100, sentences)):
                out.write(f'<sentence id="d{d:06d}.s{s:06d}">\n')
                for t in range(12):
                    if t < per_sentence:
                        out.write(f'<instance id="d{d:06d}.s{s:06d}.t{t:03d}" '
                                  f'lemma="word{(s + t) % 5000}" pos="NOUN">word{t}</instance>\n')
                    else:
                        out.write(f'<wf lemma="filler" pos="NOUN">filler{t}</wf>\n')
                out.write("</sentence>\n")
            out.write("</text>\n")
        out.write("</corpus>\n")
    return sentences * per_sentence


def test_the_xml_is_streamed(tmp_path):
    """Reading 4 times as many sentences takes no more memory: each is cleared once read."""
    import tracemalloc

    from harness.suites.raganato import read_instances

    peaks = []
    for sentences in (1000, 4000):
        path = tmp_path / f"c{sentences}.xml"
        expected = synthetic_corpus(path, sentences)
        tracemalloc.start()
        count = sum(1 for _ in read_instances(path))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert count == expected
    assert peaks[1] < 1.5 * peaks[0] and peaks[1] < 2_000_000


def test_wordnet_only_options_are_said_to_be_unused(tmp_path, capsys):
    code, _ = _make(tmp_path, "--min-examples", "3", "--seed", "2")
    assert code == 0
    assert "--min-examples, --seed: for suites from WordNet's examples" in capsys.readouterr().err
