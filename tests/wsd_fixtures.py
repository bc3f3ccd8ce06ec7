"""A tiny WordNet in the database format (data.noun, index.noun) and an independent check of
the WSD suite format (COMMON rules of issue 30, docs/wsd-data.md), for the importers' tests."""

from __future__ import annotations

from pathlib import Path

import yaml

DATA_NOUN = "".join(line + "\n" for line in (
    "  1 This software and database is being provided to you, the LICENSEE, by",
    '00000001 17 n 01 bank 0 000 | sloping land beside a body of water; "they sat on the bank '
    'of the river"; "the river bank was muddy"; "they pulled the canoe up on the banks"',
    "00000002 06 n 02 depository_financial_institution 0 bank 0 000 | a financial "
    'institution; "he cashed a check at the bank"; "that bank holds the mortgage on my '
    'home"; "banks lend money"',
    '00000003 04 n 01 bank 1 000 | a flight maneuver; "the plane went into a steep bank"',
    '00000004 09 n 01 art 0 000 | the creation of beautiful things; "the art of painting"; '
    '"he studied art in Paris"',
    "00000005 06 n 01 art 1 000 | photographs or other visual representations; "
    '"the art in the magazine"; "they used art from the archive"',
    '00000006 14 n 01 ship 0 000 | a vessel; "the ship sailed at dawn"',
))
INDEX_NOUN = """\
  1 This software and database is being provided to you, the LICENSEE, by
art n 2 0 2 0 00000004 00000005
bank n 3 0 3 0 00000001 00000002 00000003
depository_financial_institution n 1 0 1 0 00000002
ship n 1 0 1 0 00000006
"""
BANK = ["bank.n.01", "depository_financial_institution.n.01", "bank.n.03"]
ART = ["art.n.01", "art.n.02"]


def tiny_wordnet(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.noun").write_text(DATA_NOUN)
    (folder / "index.noun").write_text(INDEX_NOUN)
    return folder


def check_wsd_file(path: Path) -> dict:
    """The suite file parsed as YAML, every rule of the shared format asserted."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["schema"] == 4 and isinstance(data["suite"], str) and data["tests"]
    test_ids, context_ids = set(), set()
    for test in data["tests"]:
        assert set(test) == {"id", "wsd"}, test.keys()
        assert test["id"] not in test_ids
        test_ids.add(test["id"])
        wsd = test["wsd"]
        assert set(wsd) <= {"lemma", "pos", "senses", "wordnet", "train", "test"}
        assert wsd["lemma"] and wsd["pos"] in ("n", "v", "a", "s", "r")
        senses = wsd["senses"]
        assert senses and len(set(senses)) == len(senses)
        assert isinstance(wsd.get("wordnet", False), bool)
        assert wsd["train"] and wsd["test"]
        for ctx in wsd["train"]:
            assert set(ctx) <= {"text", "word", "occurrence", "span", "sense"}
            assert ctx["sense"] in senses
            _located(ctx)
        for ctx in wsd["test"]:
            assert set(ctx) <= {"id", "text", "word", "occurrence", "span", "gold"}
            assert ctx["gold"] and all(g in senses for g in ctx["gold"])
            assert ctx["id"] not in context_ids
            context_ids.add(ctx["id"])
            _located(ctx)
    return data


def _located(ctx: dict) -> None:
    text = ctx["text"]
    if "span" in ctx:
        start, end = ctx["span"]
        assert 0 <= start < end <= len(text) and text[start:end].strip() == text[start:end]
    else:
        assert ("word" in ctx) != ("span" in ctx)
        assert ctx["word"].lower() in text.lower()
