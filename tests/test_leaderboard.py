"""`harness leaderboard` and `harness history`: three runs of polysemy and a graded suite on
fake backends; the site's shared ranks equal a McNemar / paired bootstrap computed here from the
runs' results.json files; the same runs give byte-identical files; every value is escaped;
in headless Chromium the table sorts and filters."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import numpy as np
import pytest

from harness.cli import main
from harness.measures.significance import bootstrap_p, draws, spearman_rows
from harness.measures.stats import spearman
from harness.pipeline.runner import run_suites
from harness.reports import write_reports
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, ROOT
from tests.test_graded import GRADED
from tests.test_ranking import hand_holm
from tests.test_reports import CHROMIUM_FLAGS, chromium

RUNS = (("2026-01-01T10:00:00", {"glove <b>": 0, "model": 1}),
        ("2026-01-02T10:00:00", {"model": 2, "third": 3}),
        ("2026-01-03T10:00:00", {"fourth": 4}))


@pytest.fixture
def runs(tmp_path, write_suite):
    suites = [load_suite(POLYSEMY), load_suite(write_suite(GRADED))]
    folders = []
    for i, (created, backends) in enumerate(RUNS):
        results = run_suites(suites, [FakeBackend(n, {"seed": s}) for n, s in backends.items()])
        results.created = created
        write_reports(results, tmp_path / "runs" / f"run{i}")
        folders.append(tmp_path / "runs" / f"run{i}")
    return folders


def latest(folders):
    """model -> the results.json data of its latest run (the runs are in time order)."""
    out = {}
    for folder in folders:
        data = json.loads((folder / "results.json").read_text())
        for name in data["backends"]:
            out[name] = data
    return out


def expected_ranks(folders, alpha=0.05):
    """Shared ranks computed here: orderings by scipy's binomial test on the discordant
    expectations; graded by a paired bootstrap of the median rho; Holm over all pairs."""
    stats = pytest.importorskip("scipy.stats")
    data = latest(folders)
    names = sorted(data)
    passed = {n: {(r["test"], r["expectation"]): r["passed"] for r in data[n]["results"]
                  if r["backend"] == n and r.get("error") is None} for n in names}
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    ps, signs = [], []
    for a, b in pairs:
        only_a = sum(passed[a][k] and not passed[b][k] for k in passed[a])
        only_b = sum(passed[b][k] and not passed[a][k] for k in passed[a])
        ps.append(stats.binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1)
        signs.append(only_a - only_b)
    orderings = _ranks(names, pairs, ps, signs)
    graded_rows = {n: [p for p in data[n]["pair_results"] if p["backend"] == n] for n in names}
    tests = sorted({p["test"] for p in graded_rows[names[0]]})
    sizes = [sum(p["test"] == t for p in graded_rows[names[0]]) for t in tests]
    take = draws(sizes, 1000)

    def statistic(n):
        rows = [[p for p in graded_rows[n] if p["test"] == t] for t in tests]
        point = np.median([spearman([p["cosine"] for p in r], [p["score"] for p in r])
                           for r in rows])
        resampled = np.nanmedian(np.vstack([
            spearman_rows(np.array([p["cosine"] for p in r])[t_],
                          np.array([p["score"] for p in r])[t_]) for r, t_ in zip(rows, take)]),
            axis=0)
        return point, resampled

    got = {n: statistic(n) for n in names}
    ps = [bootstrap_p(got[a][1], got[b][1]) for a, b in pairs]
    signs = [got[a][0] - got[b][0] for a, b in pairs]
    return orderings, _ranks(names, pairs, ps, signs)


def orderings_ranks(folders):
    """The orderings half of `expected_ranks`, for runs without graded tests."""
    stats = pytest.importorskip("scipy.stats")
    data = latest(folders)
    names = sorted(data)
    passed = {n: {(r["test"], r["expectation"]): r["passed"] for r in data[n]["results"]
                  if r["backend"] == n and r.get("error") is None} for n in names}
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    ps, signs = [], []
    for a, b in pairs:
        shared = set(passed[a]) & set(passed[b])
        only_a = sum(passed[a][k] and not passed[b][k] for k in shared)
        only_b = sum(passed[b][k] and not passed[a][k] for k in shared)
        ps.append(stats.binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1)
        signs.append(only_a - only_b)
    return _ranks(names, pairs, ps, signs)


def test_ranks_that_differ_on_the_wordnet_suite(tmp_path):
    """glove-50d and three fake backends on the 1,500 WordNet tests: ranks that are not all 1,
    equal to scipy's binomial test and a hand-written Holm."""
    from harness.plugins.manager import make_plugin_host

    glove = make_plugin_host().registry().create("glove-50d")
    suite = load_suite(ROOT / "suites" / "wordnet.yaml")
    folders = []
    for i, backends in enumerate(([glove, FakeBackend("fake")],
                                  [FakeBackend("fake2", {"seed": 2}),
                                   FakeBackend("gaps", {"missing": "bank,light,run"})])):
        results = run_suites([suite], backends)
        results.created = f"2026-03-0{i + 1}T00:00:00"
        write_reports(results, tmp_path / f"w{i}")
        folders.append(tmp_path / f"w{i}")
    assert main(["leaderboard", *map(str, folders), "-o", str(tmp_path / "site")]) == 0
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    got = {m["model"]: m["cells"]["wordnet"]["rank"] for m in board["models"]}
    assert got == orderings_ranks(folders)
    assert len(set(got.values())) > 1


def _ranks(names, pairs, ps, signs):
    better = {n: 0 for n in names}
    for (a, b), yes, sign in zip(pairs, hand_holm(ps), signs):
        if yes and sign:
            better[b if sign > 0 else a] += 1
    return {n: 1 + better[n] for n in names}


def test_shared_ranks_equal_an_independent_computation(runs, tmp_path):
    assert main(["leaderboard", *map(str, runs), "-o", str(tmp_path / "site")]) == 0
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    assert [c["label"] for c in board["columns"]] == ["graded", "polysemy"]
    orderings, graded = expected_ranks(runs)
    for model in board["models"]:
        assert model["cells"]["polysemy"]["rank"] == orderings[model["model"]]
        assert model["cells"]["graded"]["rank"] == graded[model["model"]]
    model = next(m for m in board["models"] if m["model"] == "model")
    assert model["cells"]["polysemy"]["created"] == RUNS[1][0]  # its latest run
    assert model["cells"]["polysemy"]["report"] == "../runs/run1/report.html"


def test_the_same_runs_give_byte_identical_files_and_values_are_escaped(runs, tmp_path):
    for out in ("a", "b"):
        assert main(["leaderboard", str(runs[0].parent), "-o", str(tmp_path / out)]) == 0
    for name in ("index.html", "leaderboard.md", "leaderboard.csv", "leaderboard.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    page = (tmp_path / "a" / "index.html").read_text()
    assert "glove &lt;b&gt;" in page and "glove <b>" not in page
    assert "<h2>History</h2>" in page and page.count("<svg") == 2  # model's two runs, 2 suites
    assert "http" not in page.replace("http-equiv", "")  # nothing fetched
    assert "glove \\<b\\>" in (tmp_path / "a" / "leaderboard.md").read_text()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a" / "leaderboard.csv").read_text())))
    assert {r["model"] for r in rows} == {"glove <b>", "model", "third", "fourth"}


def test_fingerprint_change_is_a_new_column_and_filters(runs, tmp_path, write_suite):
    changed = load_suite(POLYSEMY)
    results = run_suites([changed], [FakeBackend("model", {"seed": 9})])
    results.created = "2026-02-01T00:00:00"
    results.suite_fingerprints = {"polysemy": "ffff0000" * 2}
    write_reports(results, tmp_path / "runs" / "changed")
    assert main(["leaderboard", str(tmp_path / "runs"), "--suite", "polysemy", "-o",
                 str(tmp_path / "site")]) == 0
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    labels = [c["label"] for c in board["columns"]]
    assert len(labels) == 2 and labels[1] == "polysemy (2: ffff0000)"
    assert labels[0].startswith("polysemy (1: ")


def test_history_marks_significant_changes(runs, tmp_path, capsys):
    assert main(["history", *map(str, runs), "--backend", "model", "-o",
                 str(tmp_path / "h")]) == 0
    out = capsys.readouterr().out
    assert out.count("model") >= 4 and "p vs previous" in out
    assert main(["history", *map(str, runs), "--json", "--suite", "polysemy"]) == 0
    series = json.loads(capsys.readouterr().out)
    [model] = [s for s in series if s["model"] == "model"]
    first, second = model["points"]
    assert first["p_value"] is None and second["p_value"] is not None
    assert second["significant"] == (second["p_value"] <= 0.05)
    assert sorted(p.name for p in (tmp_path / "h").iterdir())[:2] == ["history-1.svg",
                                                                     "history-2.svg"]


def test_the_store_gives_the_board_its_export_gives(tmp_path, capsys, monkeypatch):
    """`harness leaderboard` with no folder reads the store ($HARNESS_STORE); its runs exported
    give the same board, byte for byte."""
    from harness.results.store import Store

    path = tmp_path / "store.sqlite"
    store = Store(path)
    for seed in ("1", "2"):
        store.record(run_suites([load_suite(POLYSEMY)],
                                [FakeBackend("model", {"seed": seed}), FakeBackend("other")]))
    store.export(tmp_path / "exported")
    monkeypatch.setenv("HARNESS_STORE", str(path))
    assert main(["leaderboard", "-o", str(tmp_path / "from-store"), "-q"]) == 0
    assert main(["leaderboard", str(tmp_path / "exported"), "-o", str(tmp_path / "from-export"),
                 "-q"]) == 0
    for name in ("leaderboard.json", "leaderboard.csv", "leaderboard.md"):
        assert (tmp_path / "from-store" / name).read_bytes() == (
            tmp_path / "from-export" / name).read_bytes()
    monkeypatch.setenv("HARNESS_STORE", str(tmp_path / "empty.sqlite"))
    assert main(["leaderboard", "-o", str(tmp_path / "none")]) == 2
    assert "run `harness run` first" in capsys.readouterr().err


# -- in a browser ----------------------------------------------------------------------------


def _dom(browser, profile, page):
    out = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                          "--dump-dom", page], capture_output=True, text=True,
                         timeout=180).stdout
    assert 'data-ready="yes"' in out, out[-2000:]
    return out


def _order(dom):
    body = dom.split("<tbody>")[1]
    return [part.split('"')[0] for part in body.split('data-model="')[1:]]


def _visible_columns(dom):
    head = dom.split("<thead>")[1].split("</thead>")[0]
    return [h.split(">")[1].split("<")[0] for h in head.split("<th ")[1:]
            if "data-suite" in h and 'class="hidden"' not in h and "hidden" not in
            h.split(">")[0].split("class=")[-1]]


@pytest.mark.slow
def test_the_site_sorts_and_filters_in_chromium(runs, tmp_path):
    browser = chromium()
    assert main(["leaderboard", *map(str, runs), "-o", str(tmp_path / "site")]) == 0
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    page, profile = (tmp_path / "site" / "index.html").as_uri(), tmp_path / "profile"
    plain = _dom(browser, profile, page)
    assert _order(plain) == [m["model"].replace("<", "&lt;").replace(">", "&gt;")
                             for m in board["models"]]
    by_name = _dom(browser, profile, page + "#sort=model&dir=desc")
    assert _order(by_name) == sorted(_order(plain), reverse=True)
    assert 'data-sorted="model desc"' in by_name
    column = next(i for i, c in enumerate(board["columns"]) if c["label"] == "polysemy")
    by_suite = _dom(browser, profile, page + f"#sort=c{column}")
    cells = {m["model"]: m["cells"]["polysemy"] for m in board["models"]}
    want = sorted(cells, key=lambda m: (cells[m]["rank"], -cells[m]["score"], m))
    assert [o.replace("&lt;", "<").replace("&gt;", ">") for o in _order(by_suite)] == want
    only = _dom(browser, profile, page + "#suite=polysemy")
    assert "1 of 2 columns shown" in only
    assert _visible_columns(only) == ["polysemy"]
    graded = _dom(browser, profile, page + "#kind=graded")
    assert _visible_columns(graded) == ["graded"]


def test_model_card_columns_show_when_results_have_cards(runs, tmp_path):
    from harness.reports.leaderboard.files import leaderboard_markdown
    from harness.reports.leaderboard.site import leaderboard_html
    from harness.reports.leaderboard.table import leaderboard
    from harness.results.sources import read_sources

    sources = read_sources(runs)
    for run in sources.runs:
        for name, record in run.results.backends.items():
            record.card = {"parameters": 22_700_000, "width": 384, "licence": "<mit>"} \
                if name == "model" else None
            record.contamination = {"polysemy": ["SemCor"]} if name == "model" else {}
    board = leaderboard(sources, resamples=50)
    assert board["card_fields"] == ["parameters", "width", "licence"]
    model = next(m for m in board["models"] if m["model"] == "model")
    assert model["card"] == {"parameters": 22_700_000, "width": 384, "licence": "<mit>"}
    assert next(m for m in board["models"] if m["model"] == "third")["card"] == {}
    assert model["cells"]["polysemy"]["trained_on"] == ["SemCor"]
    assert model["cells"]["graded"]["trained_on"] == []
    page = leaderboard_html(board)
    assert "&lt;mit&gt;" in page and "<mit>" not in page
    assert page.count(">not zero-shot</span>") == 1 and "lists SemCor among" in page
    assert "| licence |" in leaderboard_markdown(board) or "licence" in \
        leaderboard_markdown(board).splitlines()[6]
    assert main(["leaderboard", *map(str, runs), "--suite", "nothing", "-o",
                 str(tmp_path / "none")]) == 2
    assert not (tmp_path / "none").exists()
