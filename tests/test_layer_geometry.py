"""`harness geometry`: its numbers against Ethayarajh's definitions computed here from
`harness.embed` of the reference sample, the files it writes, and what it keeps when a backend
fails. Tolerance: a model's vectors are batched differently here than in the command (float32,
~1e-7 per vector), so measures agree to 1e-5."""

from __future__ import annotations

import csv
import itertools
import re

import numpy as np
import pytest

import harness
from harness.cli import main
from harness.pipeline.reference import reference_rows
from harness.reports.studies.geometry import COLUMNS


def textbook(vectors: np.ndarray, words: list[str]) -> dict[str, float]:
    """Anisotropy (pairs of different words) and self-similarity (words with >= 5
    occurrences), by loops over the pairs."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    lowered = [w.lower() for w in words]
    different = [float(unit[i] @ unit[j]) for i, j in itertools.combinations(range(len(words)), 2)
                 if lowered[i] != lowered[j]]
    per_word = []
    for word in set(lowered):
        rows = [i for i, w in enumerate(lowered) if w == word]
        if len(rows) >= 5:
            per_word.append(np.mean([unit[i] @ unit[j] for i, j in itertools.permutations(rows,
                                                                                          2)]))
    return {"anisotropy": float(np.mean(different)), "self_similarity": float(np.mean(per_word))}


def intra_sentence(backend: str) -> float:
    """Each word of a sentence (runs of letters, digits and _) against the sentence's mean."""
    items, owner = [], []
    for n, row in enumerate(reference_rows()):
        for match in re.finditer(r"\w+", row.text):
            items.append(harness.Item(row.text, match.span()))
            owner.append(n)
    vectors = harness.embed(backend, items)
    keep = np.isfinite(vectors).all(axis=1)
    values = []
    for n in sorted(set(owner)):
        rows = vectors[[i for i, o in enumerate(owner) if o == n and keep[i]]]
        if len(rows):
            centre = rows.mean(axis=0)
            values.append(np.mean(rows @ centre / np.linalg.norm(rows, axis=1)
                                  / np.linalg.norm(centre)))
    return float(np.mean(values))


def read_rows(path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == list(COLUMNS)
        return list(reader)


@pytest.mark.slow  # the textbook computation over 2,000 vectors
def test_glove_geometry_equals_the_definitions(tmp_path, capsys):
    out = tmp_path / "geo"
    assert main(["geometry", "-b", "glove-50d", "-o", str(out)]) == 0
    [row] = read_rows(out / "geometry.csv")
    assert row["backend"] == "glove-50d" and row["layer"] == ""
    vectors = harness.embed("glove-50d", harness.reference_contexts())
    keep = np.isfinite(vectors).all(axis=1)
    words = [i.word for i, k in zip(harness.reference_contexts(), keep) if k]
    expected = textbook(vectors[keep].astype(np.float64), words)
    assert float(row["anisotropy"]) == pytest.approx(expected["anisotropy"], abs=1e-5)
    # a static vector is the same in every sentence
    assert float(row["self_similarity"]) == pytest.approx(1.0, abs=1e-5)
    assert float(row["mev"]) == pytest.approx(1.0, abs=1e-5)
    assert float(row["intra_sentence_similarity"]) == pytest.approx(
        intra_sentence("glove-50d"), abs=1e-5)
    assert float(row["self_similarity_adjusted"]) == pytest.approx(
        1.0 - expected["anisotropy"], abs=1e-5)
    assert (out / "geometry.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| glove-50d |" in (out / "geometry.md").read_text()
    assert "glove-50d" in capsys.readouterr().out


def test_a_failing_backend_keeps_the_rows_of_the_others(tmp_path, fake_only, capsys):
    out = tmp_path / "geo"
    assert main(["geometry", "-b", "fake", "-b", "fake:fail=true", "-o", str(out)]) == 2
    assert [r["backend"] for r in read_rows(out / "geometry.csv")] == ["fake"]
    assert "backend fake:fail=true: the fake backend was told to fail" in (
        capsys.readouterr().err)


def test_an_unavailable_backend_is_named(tmp_path, fake_only, capsys):
    assert main(["geometry", "-b", "fake:available=no", "-o", str(tmp_path / "g")]) == 2
    assert "fake:available=no" in capsys.readouterr().err
    assert not (tmp_path / "g").exists()


def test_the_api_raises_with_the_rows_that_finished():
    from harness.errors import GeometryFailed
    from harness.testing import FakeBackend

    with pytest.raises(GeometryFailed, match="backend broken: the fake backend was told to "
                       "fail") as failed:
        harness.geometry([FakeBackend("fine", {"dim": 8}),
                          FakeBackend("broken", {"fail": True})], cache=False)
    assert [r.backend for r in failed.value.rows] == ["fine"]


def test_too_few_reference_vectors_is_a_clear_error():
    from harness.errors import GeometryFailed
    from harness.testing import FakeBackend

    words = ",".join({i.word.lower() for i in harness.reference_contexts()})
    with pytest.raises(GeometryFailed, match="too few of the reference sample's 2000 items "
                       r"\(at least 100\)"):
        harness.geometry([FakeBackend("f", {"missing": words})], cache=False)


@pytest.mark.slow
@pytest.mark.real_model
def test_minilm_has_a_row_per_layer_that_equals_the_definitions(tmp_path):
    out = tmp_path / "geo"
    assert main(["geometry", "-b", "minilm", "-b", "glove-50d", "-o", str(out)]) == 0
    rows = read_rows(out / "geometry.csv")
    assert [(r["backend"], r["layer"]) for r in rows] == [
        *(("minilm", str(n)) for n in range(7)), ("glove-50d", "")]
    words = [i.word for i in harness.reference_contexts()]
    for layer in (0, 6):
        vectors = harness.embed(f"minilm:layers={layer}", harness.reference_contexts())
        expected = textbook(vectors.astype(np.float64), words)
        assert float(rows[layer]["anisotropy"]) == pytest.approx(expected["anisotropy"],
                                                                 abs=1e-5)
        assert float(rows[layer]["self_similarity"]) == pytest.approx(
            expected["self_similarity"], abs=1e-5)
    assert float(rows[6]["intra_sentence_similarity"]) == pytest.approx(
        intra_sentence("minilm:layers=6"), abs=1e-5)
