"""The distributions as a pip user meets them: an sdist and a wheel built from this tree (the
wheel from the sdist, as build tools do), what each holds, the fast lane run from the unpacked
sdist, the lowest setuptools the build-system allows, and the wheel installed in a fresh
environment and used from a folder that holds no project file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

BUILD = ("from setuptools import build_meta as b; import sys; "
         "print(getattr(b, sys.argv[1])(sys.argv[2]))")


def build(kind: str, source: Path, out: Path) -> Path:
    """An sdist or wheel of `source`, built in a subprocess (setuptools writes into cwd)."""
    done = subprocess.run([sys.executable, "-c", BUILD, f"build_{kind}", str(out)], cwd=source,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "is absent from the `packages` configuration" not in done.stderr  # every package
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """(unpacked sdist folder, wheel path)."""
    out = tmp_path_factory.mktemp("dist")
    sdist = build("sdist", ROOT, out)
    with tarfile.open(sdist) as archive:
        archive.extractall(out / "unpacked", filter="data")
    unpacked = out / "unpacked" / sdist.name.removesuffix(".tar.gz")
    wheel = build("wheel", unpacked, out)
    return unpacked, wheel


def test_the_wheel_carries_the_licence_types_and_every_data_file(dists):
    _, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert f"{info}/licenses/LICENSE" in names and "harness/py.typed" in names
    data = {p.relative_to(ROOT).as_posix() for folder in ("harness/data",
                                                          "harness/reports/templates")
            for p in (ROOT / folder).iterdir() if p.is_file()}
    assert data <= names
    shipped = {f"harness_suites/{p.name}" for p in (ROOT / "suites").iterdir()
               if p.suffix == ".yaml" or p.name == "WORDNET-LICENSE"}
    assert shipped and shipped <= names
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "harness").rglob("*.py")}
    assert code <= names  # every subpackage is declared
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "Classifier: Typing :: Typed" in metadata
    assert "Project-URL: Source" in metadata


def test_the_sdist_holds_what_its_tests_need(dists):
    unpacked, _ = dists
    for path in ("LICENSE", "tox.ini", "tests/__init__.py", "tests/conftest.py",
                 "tests/helpers.py", "tests/toy_models.py", "tests/model_families.py",
                 "suites/polysemy.yaml", "suites/wordnet.yaml", "suites/WORDNET-LICENSE",
                 ".ci/run", ".github/workflows/compare-models.yml", "README.md", "CHANGELOG.md",
                 "plugins/wic-harness-onnx/wic_harness_onnx/plugin.py"):
        assert (unpacked / path).is_file(), path
    tests = {p.name for p in (ROOT / "tests").glob("*.py")}
    assert tests <= {p.name for p in (unpacked / "tests").glob("*.py")}


def test_the_fast_lane_passes_from_the_unpacked_sdist(dists, tmp_path):
    unpacked, _ = dists
    # the packages of the sdist, not of this checkout: its folders under their import names
    (unpacked / "harness_backends").symlink_to(unpacked / "backends")
    (unpacked / "harness_suites").symlink_to(unpacked / "suites")
    env = {**os.environ, "PYTHONPATH": str(unpacked), "HARNESS_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-x",
                           "-p", "no:cacheprovider", "-p", "no:randomly"], cwd=unpacked,
                          env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
    check = subprocess.run([sys.executable, "-c", "import harness; print(harness.__file__)"],
                           cwd=unpacked, env=env, capture_output=True, text=True)
    assert check.stdout.startswith(str(unpacked))


def pip(environment: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(environment / "bin" / "python"), "-m", "pip", *args,
                           "--disable-pip-version-check"], capture_output=True, text=True,
                          timeout=900, **kwargs)


def test_the_lowest_setuptools_allowed_builds_it_without_isolation(tmp_path):
    environment = tmp_path / "env"
    venv.create(environment, with_pip=True)
    installed = pip(environment, "install", "-q", "setuptools==77.0.3")
    if installed.returncode != 0 and "No matching distribution" in installed.stderr:
        pytest.skip("setuptools 77.0.3 is not on the package index here")
    assert installed.returncode == 0, installed.stderr[-2000:]
    done = pip(environment, "wheel", "--no-build-isolation", "--no-deps", "-q", "-w",
               str(tmp_path / "out"), str(ROOT))
    assert done.returncode == 0, done.stderr[-3000:]
    assert list((tmp_path / "out").glob("wic_harness-*.whl"))


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory):
    """A fresh environment with the wheel installed, its dependencies borrowed from this one
    (a .pth line: this environment's editable wic-harness is not seen, only its packages)."""
    _, wheel = dists
    environment = tmp_path_factory.mktemp("wheel-env")
    venv.create(environment, with_pip=True)
    site = next((environment / "lib").glob("python3*/site-packages"))
    borrowed = next(p for p in map(Path, sys.path) if p.name == "site-packages"
                    and p.is_dir() and (p / "numpy").is_dir())
    (site / "borrowed.pth").write_text(f"{borrowed}\n")
    done = pip(environment, "install", "--no-deps", "-q", str(wheel))
    assert done.returncode == 0, done.stderr[-3000:]
    return environment


def harness(environment: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cwd / ".cache"), "HF_HUB_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(environment / "bin" / "harness"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_the_wheel_works_from_a_folder_without_project_files(installed, tmp_path):
    code = subprocess.run([str(installed / "bin" / "python"), "-c",
                           "import harness, harness_backends; print(harness.__file__, "
                           "harness_backends.__file__)"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert str(installed) in code.stdout and str(ROOT) not in code.stdout, code.stdout
    done = harness(installed, tmp_path, "run", "polysemy", "-b", "glove-50d", "-b",
                   "glove-50d:lowercase=false", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^glove-50d +polysemy +2/8 ", done.stdout, re.MULTILINE), done.stdout
    done = harness(installed, tmp_path, "run", "wordnet", "-b", "glove-50d", "-o", "wn")
    assert done.returncode == 0, done.stderr
    assert "1500" in done.stdout
    assert harness(installed, tmp_path, "validate", "polysemy").returncode == 0
    listed = harness(installed, tmp_path, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)  # valid JSON, and nothing else on stdout
    assert {"polysemy", "wordnet"} <= {s["name"] for s in data["suites"]}
    assert {"static", "hf", "tf"} <= {p["name"] for p in data["plugins"]}
    assert {"glove-50d", "minilm", "minilm-tf"} <= {i["name"] for i in data["instances"]}
    compared = harness(installed, tmp_path, "compare", "out/results.json", "--json")
    assert compared.returncode == 0, compared.stderr
    [pair] = json.loads(compared.stdout)["pairs"]
    assert {pair["a"], pair["b"]} == {"glove-50d", "glove-50d:lowercase=false"}
    assert pair["shared"] == 8
