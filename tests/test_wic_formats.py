"""The WiC variants' readers (WiC-TSV, XL-WiC, MCL-WiC, AM2iCo), each on a small file in its
exact layout, with non-Latin and unspaced scripts; malformed files refused with file, line (or
JSON path) and fix, and `make-suite wic` writing nothing then."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.suites.validate import load_suite
from harness.suites.wic_readers import FORMATS, read_pairs

# WiC-TSV: train_examples.txt (target, index, context), train_definitions.txt,
# train_hypernyms.txt (tab-separated hypernyms, multi-word ones joined by _), labels T/F
TSV_EXAMPLES = ("bank\t4\tHe sat on the bank of the river .\n"
                "bank\t4\tShe went to the bank to deposit money .\n"
                "Kafka\t0\tKafka wrote The Trial .\n")
TSV_DEFINITIONS = ("sloping land beside a body of water\n"
                   "sloping land beside a body of water\n"
                   "a writer of novels\n")
TSV_HYPERNYMS = "slope\tland_form\nslope\tland_form\nwriter\n"
TSV_LABELS = "T\nF\nT\n"

# XL-WiC: target, PoS, start1, end1, start2, end2, example1, example2, label (character offsets)
XL_WIC = ("银行\tN\t3\t5\t0\t2\t我去了银行取钱。\t银行的利率很高。\t1\n"
          "銀行\tN\t0\t2\t5\t7\t銀行に行った。\t川の土手と銀行。\t0\n"
          "Bank\tN\t13\t17\t4\t8\tIch ging zur Bank.\tDie Bank am Fluss.\t0\n")

# MCL-WiC: JSON data (start/end or ranges) and gold {id, tag}
MCL_DATA = [
    {"id": "test.en-en.0", "lemma": "bank", "pos": "NOUN",
     "sentence1": "He sat on the bank.", "sentence2": "The bank was muddy.",
     "start1": "14", "end1": "18", "start2": "4", "end2": "8"},
    {"id": "test.zh-zh.1", "lemma": "打", "pos": "VERB",
     "sentence1": "他打电话给我。", "sentence2": "他们打篮球。",
     "ranges1": "1-2", "ranges2": "2-3"},
]
MCL_GOLD = [{"id": "test.zh-zh.1", "tag": "F"}, {"id": "test.en-en.0", "tag": "T"}]

# AM2iCo: context1 (English) \t context2 (the other language) \t label, with a header
AM2ICO = ("context1\tcontext2\tlabel\n"
          "He sat on the <word>bank</word> of the river .\t他坐在河<word>岸</word>上。\tT\n"
          "She went to the <word>bank</word> .\t她去了<word>银行</word>。\tF\n")


def write(folder, name, text):
    path = folder / name
    path.write_text(text if isinstance(text, str) else json.dumps(text, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_formats_are_registered():
    assert list(FORMATS) == ["wic", "wic-tsv", "xl-wic", "mcl-wic", "am2ico"]


def test_wic_tsv(tmp_path):
    data = write(tmp_path, "train_examples.txt", TSV_EXAMPLES)
    write(tmp_path, "train_definitions.txt", TSV_DEFINITIONS)
    write(tmp_path, "train_hypernyms.txt", TSV_HYPERNYMS)
    gold = write(tmp_path, "train_labels.txt", TSV_LABELS)
    pairs = read_pairs(data, gold, "wic-tsv")
    assert [p.same_sense for p in pairs] == [True, False, True]
    assert pairs[0].a.word == "bank" and pairs[2].a.word == "Kafka"
    # the sense as a whole sentence: its definition and hypernyms, no target span
    assert pairs[0].b.text == "sloping land beside a body of water; slope, land form"
    assert pairs[0].b.span is None and pairs[2].b.text == "a writer of novels; writer"
    # definitions.txt beside a data file not named *_examples.txt; no hypernyms file
    plain = tmp_path / "plain"
    plain.mkdir()
    write(plain, "definitions.txt", TSV_DEFINITIONS)
    [first, *_] = read_pairs(write(plain, "data.txt", TSV_EXAMPLES), gold, "wic-tsv")
    assert first.b.text == "sloping land beside a body of water"


def test_xl_wic_character_offsets_in_unspaced_scripts(tmp_path):
    pairs = read_pairs(write(tmp_path, "zh_train.txt", XL_WIC), None, "xl-wic")
    assert [(p.a.word, p.b.word) for p in pairs] == [("银行", "银行"), ("銀行", "銀行"),
                                                     ("Bank", "Bank")]
    assert [p.same_sense for p in pairs] == [True, False, False]
    # the test files: 8 columns, the labels in a gold file
    test = write(tmp_path, "zh_test_data.txt",
                 "\n".join(line.rsplit("\t", 1)[0] for line in XL_WIC.splitlines()))
    gold = write(tmp_path, "zh_test_gold.txt", "1\n0\n0\n")  # XL-WiC's test gold: 1/0
    assert [p.same_sense for p in read_pairs(test, gold, "xl-wic")] == [True, False, False]


def test_mcl_wic_joins_by_id(tmp_path):
    data = write(tmp_path, "test.en-en.data", MCL_DATA)
    gold = write(tmp_path, "test.en-en.gold", MCL_GOLD)
    pairs = read_pairs(data, gold, "mcl-wic")
    assert [(p.id, p.a.word, p.b.word, p.same_sense) for p in pairs] == [
        ("test.en-en.0", "bank", "bank", True), ("test.zh-zh.1", "打", "打", False)]


def test_am2ico_marked_targets(tmp_path):
    pairs = read_pairs(write(tmp_path, "train.tsv", AM2ICO), None, "am2ico")
    assert [(p.a.word, p.b.word, p.same_sense) for p in pairs] == [
        ("bank", "岸", True), ("bank", "银行", False)]
    assert "<word>" not in pairs[0].a.text and pairs[0].b.text == "他坐在河岸上。"


@pytest.mark.parametrize("format, files, message", [
    ("wic-tsv", {"x_examples.txt": "bank\tfour\tHe sat on the bank .\n",
                 "x_definitions.txt": "land\n"}, r"x_examples.txt:1: the index 'four'"),
    ("wic-tsv", {"x_examples.txt": "bank\t9\tHe sat .\n", "x_definitions.txt": "land\n"},
     r"x_examples.txt:1: token 9 is not in the context"),
    ("wic-tsv", {"x_examples.txt": TSV_EXAMPLES}, r"no .*x_definitions.txt beside it"),
    ("wic-tsv", {"x_examples.txt": TSV_EXAMPLES, "x_definitions.txt": "one\n"},
     r"x_definitions.txt: 1 lines for the 3 examples"),
    ("xl-wic", {"x.txt": "银行\tN\t3\t9\t0\t2\t我去了银行取钱。\t银行的利率很高。\t1\n"},
     r"x.txt:1: the span \[3, 9\) is not inside its 8-character sentence"),
    ("xl-wic", {"x.txt": "a\tN\t0\t1\tb\n"}, r"x.txt:1: expected 8 or 9 tab-separated"),
    ("xl-wic", {"x.txt": XL_WIC.replace("\t0\n", "\tmaybe\n", 1)},
     r"x.txt:2: the label 'maybe' is not T/F or 1/0"),
    ("am2ico", {"x.tsv": "the bank .\t<word>岸</word>\tT\n"},
     r"x.tsv:1: context 1 has 0 <word>...</word> targets; mark exactly one"),
    ("am2ico", {"x.tsv": "<word>a</word>\t<word>b</word>\n"},
     r"x.tsv:1: no label: give the gold file"),
])
def test_malformed_files(tmp_path, format, files, message):
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    rows = len(next(iter(files.values())).splitlines())
    gold = write(tmp_path, "gold.txt", "T\n" * rows) if format == "wic-tsv" else None
    with pytest.raises(HarnessError, match=message):
        read_pairs(paths[0], gold, format)


@pytest.mark.parametrize("change, message", [
    (lambda d, g: (d[:1] + [{**d[1], "start1": 5}], g),
     r"\[1\].start1 is missing|\[1\].end1 is missing"),
    (lambda d, g: ([{**d[0], "start1": "x"}] + d[1:], g),
     r"\[0\].start1: the offsets 'x', '18' are not whole numbers"),
    (lambda d, g: (d[:1] + [{**d[1], "ranges2": "2to3"}], g),
     r"\[1\].ranges2 is '2to3': give start2/end2 or ranges2 like"),
    (lambda d, g: ([{k: v for k, v in d[0].items() if k != "sentence2"}] + d[1:], g),
     r"\[0\].sentence2 is missing"),
    (lambda d, g: (d + [d[0]], g), r"\[2\].id 'test.en-en.0' repeats an earlier id"),
    (lambda d, g: (d, g[:1]), r"no tag for id 'test.en-en.0'"),
    (lambda d, g: (d, [g[0], {"id": "test.en-en.0", "tag": "yes"}]), r"\[1\].tag is 'yes'"),
])
def test_malformed_mcl_wic(tmp_path, change, message):
    data, gold = change([dict(x) for x in MCL_DATA], [dict(x) for x in MCL_GOLD])
    with pytest.raises(HarnessError, match=message):
        read_pairs(write(tmp_path, "d.json", data), write(tmp_path, "g.json", gold), "mcl-wic")
    with pytest.raises(HarnessError, match=r"d.json:1: not JSON"):
        read_pairs(write(tmp_path, "d.json", "[{"), tmp_path / "g.json", "mcl-wic")


def test_make_suite_from_a_variant(tmp_path, capsys):
    data = write(tmp_path, "train.tsv", AM2ICO.replace("\tF\n", "\tF\n").replace(
        "She went to the <word>bank</word>", "She went to the <word>bank</word>"))
    out = tmp_path / "am2ico.yaml"
    assert main(["make-suite", "wic", str(data), "--format", "am2ico", "-o", str(out)]) == 0
    suite = load_suite(out)
    assert [t.id for t in suite.tests] == ["bank"]
    assert "AM2iCo" in out.read_text()
    # WiC-TSV: the definition side is a whole sentence
    tsv = tmp_path / "tsv"
    tsv.mkdir()
    examples = write(tsv, "train_examples.txt", TSV_EXAMPLES)
    write(tsv, "train_definitions.txt", TSV_DEFINITIONS)
    labels = write(tsv, "train_labels.txt", TSV_LABELS)
    out2 = tmp_path / "tsv.yaml"
    assert main(["make-suite", "wic", str(examples), str(labels), "--format", "wic-tsv",
                 "-o", str(out2)]) == 0
    assert [t.id for t in load_suite(out2).tests] == ["bank"]


def test_make_suite_writes_nothing_on_a_bad_file(tmp_path, capsys):
    data = write(tmp_path, "bad.tsv", "the bank .\t<word>岸</word>\tT\n")
    out = tmp_path / "never.yaml"
    assert main(["make-suite", "wic", str(data), "--format", "am2ico", "-o", str(out)]) != 0
    assert not out.exists()
    assert "bad.tsv:1: context 1 has 0 <word>" in capsys.readouterr().err
    # a format keeping its labels in a gold file, run without one
    assert main(["make-suite", "wic", str(data), "-o", str(out)]) != 0
    assert not out.exists() and "give it as GOLD" in capsys.readouterr().err


def test_wic_command_on_xl_wic(tmp_path):
    data = write(tmp_path, "zh.txt", XL_WIC)
    out = tmp_path / "out"
    assert main(["wic", str(data), "--format", "xl-wic", "--dev", str(data),
                 "-b", "glove-50d", "-o", str(out)]) == 0
    result = json.loads((out / "wic.json").read_text())
    assert result["format"] == "xl-wic" and result["results"][0]["pairs"] == 3
    assert (out / "wic-pairs.csv").read_text().count("\n") == 4


def test_the_api_reads_every_format_as_the_command_does(tmp_path):
    import harness

    data = write(tmp_path, "zh.txt", XL_WIC)
    done = harness.evaluate_wic(data, None, ["glove-50d"], dev=(data, None), format="xl-wic",
                                progress=False, output=tmp_path / "api")
    assert main(["wic", str(data), "--format", "xl-wic", "--dev", str(data), "-b", "glove-50d",
                 "-o", str(tmp_path / "cli")]) == 0
    assert done.format == "xl-wic"
    api, cli = (json.loads((tmp_path / d / "wic.json").read_text()) for d in ("api", "cli"))
    assert api["results"] == cli["results"]
