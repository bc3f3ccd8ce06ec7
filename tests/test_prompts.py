"""Prompts and decoder embedders in the hf backend, on tiny sentence-transformers folders made
here: every whole-sentence vector equals `SentenceTransformer.encode(..., prompt_name=...)` on
the same folder (within 1e-5), and every word vector equals the mean of the last hidden state
at the word's tokens of the prompted text, computed with transformers directly (within 1e-5)."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentence_transformers")

from harness.backend import Item  # noqa: E402
from harness.errors import OptionError  # noqa: E402
from harness_backends.hf import HfBackend  # noqa: E402
from tests.model_families import build_bert, build_gpt2  # noqa: E402

TOL = 1e-5
TEXTS = ["the bank of the river", "she sat by the bank", "money in the bank today"]
PROMPTS = {"query": "query: ", "passage": "passage: "}


def st_folder(tmp_path, build, include_prompt, pooling="mean", name="st", padding_side=None):
    from sentence_transformers import SentenceTransformer
    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # before sentence-transformers 6
        from sentence_transformers.models import Pooling, Transformer

    base = build(tmp_path / f"{name}-base")
    transformer = Transformer(str(base))
    if transformer.tokenizer.pad_token is None:
        transformer.tokenizer.pad_token = transformer.tokenizer.eos_token
    if padding_side:
        transformer.tokenizer.padding_side = padding_side
    width = (transformer.get_embedding_dimension() if hasattr(transformer,
             "get_embedding_dimension") else transformer.get_word_embedding_dimension())
    pool = Pooling(width, pooling_mode=pooling, include_prompt=include_prompt)
    st = SentenceTransformer(modules=[transformer, pool], device="cpu", prompts=PROMPTS,
                             default_prompt_name="query", similarity_fn_name="dot")
    folder = tmp_path / name
    st.save(str(folder))
    config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert config["default_prompt_name"] == "query" and config["similarity_fn_name"] == "dot"
    return folder


def encode(folder, texts, **kwargs):
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    # one text at a time: no padding at all, whatever side the tokenizer pads on
    return np.stack([st.encode([t], convert_to_numpy=True, **kwargs)[0] for t in texts])


def word_vectors(folder, prompt, texts, words):
    """The mean of the last hidden state at the word's tokens of prompt + text, by transformers
    directly."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    out = []
    for text, word in zip(texts, words):
        full = prompt + text
        start = len(prompt) + text.index(word)
        end = start + len(word)
        enc = tokenizer(full, return_offsets_mapping=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping")[0].tolist()
        at = [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]
        assert at
        with torch.no_grad():
            last = model(**enc).last_hidden_state[0]
        out.append(last[at].mean(0).numpy())
    return np.stack(out)


def sentences(backend):
    return backend.embed_batch([Item(t) for t in TEXTS])


@pytest.mark.parametrize("include_prompt", [False, True])
def test_encoder_sentences_match_encode_with_the_default_prompt(tmp_path, include_prompt):
    folder = st_folder(tmp_path, build_bert, include_prompt)
    got = sentences(HfBackend("b", {"model": str(folder)}))
    np.testing.assert_allclose(got.vectors, encode(folder, TEXTS), atol=TOL)
    assert got.used["prompt"] == "query: " and got.used["prompt_from"] == "default_prompt_name"
    named = sentences(HfBackend("b", {"model": str(folder), "prompt_name": "passage"}))
    np.testing.assert_allclose(named.vectors, encode(folder, TEXTS, prompt_name="passage"),
                               atol=TOL)
    given = sentences(HfBackend("b", {"model": str(folder), "prompt": "passage: "}))
    np.testing.assert_allclose(given.vectors, named.vectors, atol=TOL)
    off = sentences(HfBackend("b", {"model": str(folder), "prompt": "none"}))
    np.testing.assert_allclose(off.vectors, encode(folder, TEXTS, prompt=""), atol=TOL)
    assert off.used["prompt"] is None
    assert not np.allclose(off.vectors, got.vectors, atol=1e-4)


def test_a_words_vector_is_read_in_the_prompted_text_without_the_prompts_tokens(tmp_path):
    folder = st_folder(tmp_path, build_bert, False)
    words = ["bank", "bank", "money"]
    items = [Item(t, (t.index(w), t.index(w) + len(w))) for t, w in zip(TEXTS, words)]
    for options, prompt in [({}, "query: "), ({"prompt_name": "passage"}, "passage: "),
                            ({"prompt": "none"}, "")]:
        backend = HfBackend("b", {"model": str(folder), "layers": "-1", **options})
        got = backend.embed_batch(items).vectors
        np.testing.assert_allclose(got, word_vectors(folder, prompt, TEXTS, words), atol=TOL)


def test_prompt_options_change_the_share_key_and_bad_names_are_refused(tmp_path):
    folder = st_folder(tmp_path, build_bert, True)
    keys = {HfBackend("b", {"model": str(folder), **o}).share_key()
            for o in ({}, {"prompt": "none"}, {"prompt_name": "passage"}, {"prompt": "x: "})}
    assert len(keys) == 4
    with pytest.raises(OptionError, match="prompt_name=nope.*query"):
        HfBackend("b", {"model": str(folder), "prompt_name": "nope"}).prompt()
    with pytest.raises(OptionError, match="exclude each other"):
        HfBackend("b", {"model": str(folder), "prompt": "a", "prompt_name": "query"}).prompt()


@pytest.mark.parametrize(("pooling", "padding_side"),
                         [("lasttoken", "left"), ("lasttoken", "right"), ("mean", "right")])
def test_decoder_embedder_sentences_match_encode(tmp_path, pooling, padding_side):
    folder = st_folder(tmp_path, build_gpt2, False, pooling=pooling, name="dec",
                       padding_side=padding_side)
    instruction = "Instruct: find the sense of bank\nQuery: "
    for options, kwargs in [({}, {}), ({"prompt": instruction}, {"prompt": instruction})]:
        backend = HfBackend("b", {"model": str(folder), **options})
        got = sentences(backend)
        np.testing.assert_allclose(got.vectors, encode(folder, TEXTS, **kwargs), atol=TOL)
        assert got.used["kind"] == "decoder-only"


def test_decoder_word_vectors_keep_decoder_context_left(tmp_path):
    folder = st_folder(tmp_path, build_gpt2, False, pooling="lasttoken", name="dec")
    words = ["bank", "bank", "money"]
    items = [Item(t, (t.index(w), t.index(w) + len(w))) for t, w in zip(TEXTS, words)]
    backend = HfBackend("b", {"model": str(folder), "layers": "-1", "decoder_context": "left"})
    np.testing.assert_allclose(backend.embed_batch(items).vectors,
                               word_vectors(folder, "query: ", TEXTS, words), atol=TOL)


def test_the_fingerprint_follows_the_prompt_that_applies(tmp_path):
    folder = st_folder(tmp_path, build_bert, True)
    prints = {name: HfBackend("b", {"model": str(folder), **o}).fingerprint()
              for name, o in [("default", {}), ("named", {"prompt_name": "query"}),
                              ("text", {"prompt": "query: "}), ("none", {"prompt": "none"}),
                              ("passage", {"prompt_name": "passage"})]}
    assert prints["default"] == prints["named"] == prints["text"]
    assert len({prints["default"], prints["none"], prints["passage"]}) == 3


def test_a_model_without_prompts_keeps_its_fingerprint(tiny_bert):
    """No prompt applies: the fingerprint is the one every backend computes, without the two
    prompt options (so caches and results of earlier runs still match)."""
    from harness.backend import Backend

    backend = HfBackend("b", {"model": str(tiny_bert)})
    plain = HfBackend("b", {"model": str(tiny_bert)})
    plain.options = {k: v for k, v in plain.options.items()
                     if k not in ("prompt", "prompt_name")}
    assert backend.fingerprint() == Backend.fingerprint(plain)
    assert backend.fingerprint(raw=True) == Backend.fingerprint(plain, raw=True)


def test_harness_toml_instances_carry_their_own_prompts(tmp_path):
    from harness.api import load_registry
    from harness.config import read
    from harness.plugins.registry import configured

    folder = st_folder(tmp_path, build_bert, False)
    path = tmp_path / "harness.toml"
    path.write_text(f'[backends.q]\nplugin = "hf"\nmodel = "{folder}"\nprompt = "query: "\n\n'
                    f'[backends.p]\nplugin = "hf"\noptions = {{model = "{folder}", '
                    'prompt_name = "passage"}\n')
    registry = load_registry()
    for part in configured(read(path).instances):
        registry.add_configured(part)
    q, p = registry.create("q"), registry.create("p")
    assert q.prompt()[0] == "query: " and p.prompt()[0] == "passage: "
    np.testing.assert_allclose(sentences(p).vectors, encode(folder, TEXTS, prompt_name="passage"),
                               atol=TOL)
