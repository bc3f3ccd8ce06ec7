"""Suites known by name, so that `harness run polysemy` works without a file at hand, in a clone
or from a wheel.

The suites in the repository's suites/ folder ship with the package (installed as
`harness_suites`): polysemy, wordnet, wordnet-wsd (WordNet's licence beside them).
WordSim-353 and SimLex-999 come with no licence that allows passing them on, so the harness
does not ship them: it builds each, on first use, from the copy that gensim's test data
carries (`gensim.test.utils.datapath`), into the cache folder.
A path that exists is always read as a path."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.suites.model import Suite

log = logging.getLogger("harness.suites")


@dataclass(frozen=True)
class GensimSuite:
    """A graded suite built from one of gensim's rating files."""

    name: str
    file: str  # in gensim's test data
    format: str  # harness.suites.pair_formats
    citation: str

    def path(self) -> Path:
        """The suite file in the cache folder, built now when it is not there yet."""
        from harness.backend.packaged import installed_version
        from harness.files import cache_dir

        if importlib.util.find_spec("gensim") is None:
            raise HarnessError(f"suite {self.name!r} is built from the copy of {self.file} in "
                               "gensim's test data, and gensim is not installed: pip install "
                               "gensim (or give a suite file)")
        # -2: the files that record their source data set (datasets:), built again once
        target = (cache_dir() / "suites" /
                  f"{self.name}-gensim-{installed_version('gensim')}-2.yaml")
        if not target.is_file():
            from gensim.test.utils import datapath

            from harness.suites.builders import pairs_suite

            source = datapath(self.file)
            header = (f"{self.citation}\nBuilt by wic-harness from gensim's copy of {self.file} "
                      "(gensim's test data); not shipped with wic-harness.")
            built = pairs_suite(source, self.format, name=self.name, output=str(target),
                                header=header)
            try:
                built.write(target)
            except OSError as exc:  # the cache folder is an optimisation: build elsewhere
                import tempfile

                target = Path(tempfile.mkdtemp(prefix="harness-suite-")) / target.name
                log.warning("cannot write %s in the cache folder (%s); built it in %s for "
                            "this run", self.name, exc, target)
                built.write(target)
            log.info("built suite %s from %s into %s", self.name, source, target)
        return target


NAMED = {s.name: s for s in (
    GensimSuite("wordsim353", "wordsim353.tsv", "wordsim353",
                "WordSim-353: Finkelstein et al. 2002, Placing search in context: the concept "
                "revisited."),
    GensimSuite("simlex999", "simlex999.txt", "simlex999",
                "SimLex-999: Hill, Reichart and Korhonen 2015, SimLex-999: evaluating semantic "
                "models with (genuine) similarity estimation."),
)}


def shipped() -> dict[str, Path]:
    """The suites that ship with the package, by name (their `suite:` file stem)."""
    from importlib.resources import files

    try:
        folder = files("harness_suites")
    except ModuleNotFoundError:  # a core installed without its suites
        return {}
    return {Path(entry.name).stem: Path(str(entry)) for entry in folder.iterdir()
            if entry.name.endswith(".yaml")}


@dataclass(frozen=True)
class NamedSuite:
    """What `harness list` shows of a suite known by name."""

    name: str
    source: str  # "shipped", or where it is built from
    path: Path | None  # None: not built yet


def named_suites() -> list[NamedSuite]:
    """Every suite known by name: the shipped ones, then those built on first use."""
    out = [NamedSuite(name, "shipped with wic-harness", path)
           for name, path in sorted(shipped().items())]
    for suite in NAMED.values():
        out.append(NamedSuite(suite.name, f"built on first use from gensim's {suite.file}",
                              None))
    return out


def resolve(spec: str | Path) -> Path:
    """The suite file `spec` names: itself when it exists, else the named suite's file; a
    SuiteError when it is neither (naming the known names, with a "did you mean")."""
    path = Path(spec)
    text = str(spec)
    if path.exists():
        return path
    ships = shipped()
    if text in ships:
        return ships[text]
    if text in NAMED:
        return NAMED[text].path()
    if "/" not in text and "\\" not in text and not path.suffix:
        from harness.errors import SuiteError, did_you_mean

        known = [*sorted(ships), *NAMED]
        raise SuiteError(text, [f"{text}: neither a suite file nor a suite known by name"
                                f"{did_you_mean(text, known)}; known names: {', '.join(known)}"
                                " (`harness list` shows them)"])
    return path


def load(spec: str | Path) -> Suite:
    """The suite a path or a name gives, read and checked (`load_suite`)."""
    from harness.suites.validate import load_suite

    return load_suite(resolve(spec))
