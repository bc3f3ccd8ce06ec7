"""Sense maps: contexts from WordNet or a file, their projection against numpy's SVD, the files
`harness senses` writes, and the small maps in report.html."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

import harness
from harness.cli import main
from harness.studies.sense_maps import file_senses, project, wordnet_senses
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY

NOTEBOOK = """sense\ttext\tword\tgloss
animal\tA mouse is a small rodent that lives in fields.\tmouse\ta small rodent
animal\tThe cat chased the mouse across the barn.\tmouse\ta small rodent
animal\tA field mouse nibbled the grain.\tmouse\ta small rodent
device\tClick the left button of the mouse twice.\tmouse\ta pointing device
device\tMy wireless mouse needs new batteries.\tmouse\ta pointing device
device\tMove the mouse to the corner of the screen.\tmouse\ta pointing device
"""


def test_wordnet_senses_of_bank_say_how_many_were_found(wordnet_dir):
    senses, note = wordnet_senses("bank", wordnet_dir)
    assert note == ("WordNet 3.0: 'bank' has 18 senses and 19 gloss examples; 15 examples of "
                    "13 senses contain 'bank' or an inflection")
    first = senses[0]
    assert first.name == "bank.n.01" and first.gloss.startswith("sloping land")
    assert [c.word for c in first.contexts] == ["bank", "bank"]
    assert any(c.word == "banks" for s in senses for c in s.contexts) is False
    assert sum(len(s.contexts) for s in senses) == 15


def test_an_unknown_lemma_says_what_to_give(wordnet_dir):
    with pytest.raises(ValueError, match="WordNet 3.0 has no lemma 'qzxqzx'"):
        wordnet_senses("qzxqzx", wordnet_dir)


def test_a_senses_file_gives_contexts_per_sense(tmp_path):
    path = tmp_path / "mouse.tsv"
    path.write_text(NOTEBOOK)
    senses, note = file_senses(path)
    assert [(s.name, s.gloss, len(s.contexts)) for s in senses] == [
        ("animal", "a small rodent", 3), ("device", "a pointing device", 3)]
    assert all(c.word == "mouse" for s in senses for c in s.contexts)
    assert note.endswith("6 contexts of 2 senses")


@pytest.mark.parametrize("content, message", [
    ("sense\ttext\nx\tA mouse.\n", ":1: the header must name the columns sense, text, word"),
    ("sense\ttext\tword\nx\tA mouse ran.\trat\n", ":2: 'rat' does not occur"),
    ("sense\ttext\tword\nx\t\tmouse\n", ":2: sense, text and word must each be given"),
    ("sense\ttext\tword\toccurrence\nx\tA mouse.\tmouse\tfirst\n", ":2: occurrence must be"),
    ("sense\ttext\tword\n", "no rows under the header"),
])
def test_a_bad_senses_file_names_file_line_and_fix(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        file_senses(path)


def test_pca_is_the_first_two_components_of_the_unit_vectors():
    vectors = np.random.default_rng(3).standard_normal((12, 5)) + 2
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    centred = unit - unit.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ components[:2].T
    points = project(vectors, "pca").points
    signs = np.sign((points * expected).sum(axis=0))
    np.testing.assert_allclose(points * signs, expected, atol=1e-9)


def test_pca_axes_say_the_share_of_variance_each_component_explains():
    vectors = np.random.default_rng(5).standard_normal((20, 6)) + 1
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    singular = np.linalg.svd(unit - unit.mean(axis=0), compute_uv=False)
    shares = singular**2 / (singular**2).sum()
    projected = project(vectors, "pca")
    np.testing.assert_allclose(projected.explained, shares[:2], rtol=1e-9)
    assert projected.axes == (f"PC 1 ({shares[0]:.1%} of variance)",
                              f"PC 2 ({shares[1]:.1%} of variance)")


def test_tsne_axes_are_named_without_a_share_of_variance():
    projected = project(np.random.default_rng(6).standard_normal((9, 4)), "tsne")
    assert projected.axes == ("t-SNE 1", "t-SNE 2") and projected.explained is None


def sense_map_of_the_notebook(tmp_path, method="pca"):
    from harness.studies.sense_maps import sense_map

    path = tmp_path / "mouse.tsv"
    path.write_text(NOTEBOOK)
    senses, note = file_senses(path)
    return sense_map(FakeBackend("fake"), senses, word="mouse", method=method, note=note)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_senses_html_and_png_label_their_axes(tmp_path, method):
    from harness.reports.studies.senses import TSNE_NOTE, sense_page

    found = sense_map_of_the_notebook(tmp_path, method)
    page = sense_page(found)
    for label in found.axes:
        assert f">{label}</text>" in page
    if method == "pca":
        assert found.axes[0].startswith("PC 1 (") and found.axes[1].startswith("PC 2 (")
        assert f"together they explain {sum(found.explained):.1%} of the variance" in page
    else:
        assert TSNE_NOTE.replace("'", "&#x27;") in page
    assert found._repr_html_().replace("h3>", "h1>") in page  # a notebook: the page's body
    pytest.importorskip("matplotlib")
    assert found._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_png_axes_carry_the_labels(monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    from harness.figures import plots

    seen = []
    real = plots._png
    monkeypatch.setattr(plots, "_png", lambda plt, fig: (
        seen.extend((a.get_xlabel(), a.get_ylabel()) for a in fig.axes), real(plt, fig))[1])
    found = sense_map_of_the_notebook(tmp_path)
    found.png()
    assert seen == [found.axes]


def test_a_notebook_shows_a_sense_map_without_matplotlib(tmp_path, monkeypatch):
    import sys

    found = sense_map_of_the_notebook(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert found._repr_png_() is None
    assert "<svg" in found._repr_html_()


def test_tsne_places_every_point_and_too_few_points_are_refused():
    vectors = np.random.default_rng(4).standard_normal((8, 5))
    assert project(vectors, "tsne").points.shape == (8, 2)
    with pytest.raises(ValueError, match="at least 3 contexts"):
        project(vectors[:2])
    with pytest.raises(ValueError, match="method must be one of pca, tsne"):
        project(vectors, "umap")


def test_the_command_writes_a_map_from_a_file(tmp_path, fake_only, capsys):
    path = tmp_path / "mouse.tsv"
    path.write_text(NOTEBOOK)
    out = tmp_path / "map"
    assert main(["senses", "-b", "fake", "--file", str(path), "-o", str(out)]) == 0
    with open(out / "senses.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["sense"] for r in rows] == ["animal"] * 3 + ["device"] * 3
    vectors = harness.embed(FakeBackend("fake"), [
        (r["text"], "mouse") for r in rows])
    expected = project(vectors, "pca").points
    points = np.array([[float(r["x"]), float(r["y"])] for r in rows])
    signs = np.sign((points * expected).sum(axis=0))
    np.testing.assert_allclose(points * signs, expected, atol=1e-5)
    assert (out / "senses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "senses.html").read_text()
    assert "animal: a small rodent" in page and "Click the left button" in page
    assert "6 contexts of 2 senses" in capsys.readouterr().out


def test_the_command_refuses_a_bad_file_without_writing(tmp_path, fake_only, capsys):
    path = tmp_path / "bad.tsv"
    path.write_text("sense\ttext\tword\nx\tA mouse ran.\trat\n")
    assert main(["senses", "-b", "fake", "--file", str(path), "-o", str(tmp_path / "m")]) == 2
    assert "bad.tsv:2" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_the_api_needs_one_source_of_contexts():
    with pytest.raises(ValueError, match="either as wordnet=LEMMA or as file=PATH"):
        harness.senses(FakeBackend("fake"))


@pytest.mark.slow
@pytest.mark.real_model
def test_senses_of_bank_in_minilm(tmp_path, wordnet_dir, capsys):
    out = tmp_path / "bank"
    assert main(["senses", "--wordnet", "bank", "-b", "minilm", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "15 examples of 13 senses contain 'bank'" in printed
    with open(out / "senses.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 15 and rows[0]["sense"] == "bank.n.01"
    assert (out / "senses.png").stat().st_size > 10_000


def test_report_html_maps_a_test_whose_contexts_share_a_word(tmp_path, fake_only):
    out = tmp_path / "out"
    assert main(["run", str(POLYSEMY), "-b", "fake", "-o", str(out)]) == 0
    data = json.loads((out / "results.json").read_text())
    assert data["similarities"]["fake"]["polysemy"]["mouse"]["words"] == [
        "mouse", "mouse", "rat", "keyboard"]
    page = (out / "report.html").read_text()
    maps = re.findall(r'aria-label="([^"]*): map \(MDS\)"', page)
    assert maps == ["mouse", "mouse-across", "lean", "lean-across"]  # two contexts of one word


def test_no_map_when_no_target_word_repeats():
    from harness.reports.html import word_map

    data = {"labels": ["a", "b", "c"], "words": ["x", "y", "z"],
            "matrix": [[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]]}
    assert word_map(data, "t") == ""
    data["words"] = ["x", "x", "z"]
    assert "t: map (MDS)" in word_map(data, "t")
    del data["words"]  # results.json from before words were recorded
    assert word_map(data, "t") == ""


def test_senses_html_escapes_hostile_sentences_and_glosses(tmp_path):
    """senses.html comes from a Jinja2 template (autoescaped, as report.html): a sentence, a
    gloss, a sense or a note that holds markup shows as text, never as a tag."""
    from html.parser import HTMLParser

    from harness.reports.studies.senses import sense_page
    from harness.studies.sense_maps import Sense, SenseMap

    script = "<script>alert('x')</script>"
    senses = (Sense(f"s{script}", f"a gloss {script}", (harness.Item(f"bank {script}", (0, 4)),)),
              Sense("plain", "<img src=x onerror=alert(1)>", (harness.Item("a bank", (2, 6)),)))
    found = SenseMap("fake", f"bank{script}", "pca", senses,
                     np.array([[0.0, 1.0], [1.0, 0.0]]), (0, 1),
                     (f"bank {script}", "a bank"), f"note {script}")
    page = sense_page(found)

    class Tags(HTMLParser):
        tags: list = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    parser = Tags()
    parser.feed(page)
    assert not {"script", "img"} & set(parser.tags)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "note &lt;script&gt;" in page
    assert page.startswith("<!doctype html>") and page.endswith("</html>\n")


def test_a_notebook_shows_the_map_without_jinja2(tmp_path, monkeypatch):
    import sys

    found = sense_map_of_the_notebook(tmp_path)
    monkeypatch.setitem(sys.modules, "jinja2", None)
    assert found._repr_html_() is None
    written = found.write(tmp_path)
    assert [p.name for p in written] == ["senses.png", "senses.csv"]
