"""Tiny random models of the families transformers loads, and an independent reference for their
word-in-context vectors.

`build(family, folder)` writes a seeded, randomly initialised model (hidden size 32, 2 layers,
2 heads) and its fast tokenizer into `folder` with `save_pretrained`, in well under a second;
FAMILIES lists them. Each tokenizer is trained on CORPUS with the `tokenizers` library
(deberta-v2: with `sentencepiece`, converted by transformers), with the normalizer and
pre-tokenizer of the family's own tokenizer class, which transformers 5 rebuilds on loading
(the generic and "-whitespace" ones are saved as TokenizersBackend and load as saved). A
second build gives the same token ids and weights.

`reference_vectors(folder, items)` computes word vectors with transformers directly, one item at
a time, with no batching or padding: the yardstick for the harness's own vectors.

Needs torch, transformers, tokenizers and sentencepiece; imports them only when called.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

SEED = 0
VOCAB_SIZE = 400
# Every model's position limit in tokens, special tokens included. RoBERTa-like models
# (roberta, xlm-roberta, mpnet) get LIMIT + 2 position embeddings: their position ids start
# after padding_idx=1, as in the real models (514 positions for 512 tokens).
LIMIT = 128
SMALL = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
         "intermediate_size": 37, "max_position_embeddings": LIMIT}
ROBERTA_LIKE = {**SMALL, "max_position_embeddings": LIMIT + 2}

CORPUS = [
    "A mouse is a rodent animal.",
    "A mouse is a computer device.",
    "A rat is an animal that lives in the sewers.",
    "A computer has a keyboard as an input device.",
    "I like my steak lean.",
    "Gravity made the tower lean to the side.",
    "The steak is very greasy.",
    "The corner made the cat tilt sideways.",
    "The mouse ran along the river bank at night.",
    "She sat on the bank of the river and watched the water.",
    "He took his money to the bank on Monday morning.",
    "My computer mouse stopped working, so I bought a new one.",
    "The cat chased the mouse under the kitchen table.",
    "Rats and mice are rodents; they live near people.",
    "Don't tilt the glass, or the milk will spill!",
    "It's a well-known fact that rats can swim.",
    "The keyboard's keys were sticky and greasy.",
    "Is the mouse an animal, or a device? It depends.",
    "Lean meat has very little fat in it.",
    "We met at a small café near the river.",
    "The café serves greasy food and strong coffee.",
    "Paris has many cafés, and one of them is ours.",
    "In the sewers, the rats found food and water.",
    "The wireless mouse needs a new battery.",
    "A long-tailed rodent crossed the road.",
    "Don't lean on the door; it's broken.",
    "The river flooded the bank after the storm.",
    "Every computer needs a keyboard and a mouse.",
    "The tower began to tilt after the earthquake.",
    "\"Mouse\" is a word with two meanings.",
    "Ice cream melts quickly in the summer sun.",
    "The animal hid in a hole near the river bank.",
    "Our old computer was slow, but it still worked.",
    "The device's screen is bright; the keyboard is quiet.",
    "Can a rat climb a wall? Yes, it can.",
    "The chef trimmed the fat to keep the meat lean.",
    "Sailors lean against the wind when the boat tilts.",
    "The mouse, the rat and the cat are animals.",
    "A self-driving car is a computer on wheels.",
    "I'm sure the bank's doors open at nine.",
]


# -- training tokenizers ----------------------------------------------------------------------
# The tokenizers library's WordPiece and Unigram trainers are not deterministic across
# processes (hash-map order; parallel sums): WordPiece vocabularies are therefore made from a
# BPE training, which is, and Unigram pieces are numbered in sorted order (their scores may
# still differ in the 4th decimal between builds; the tokenization does not).
def _train(model: Any, trainer: Any, normalizer: Any, pre_tokenizer: Any) -> dict[str, Any]:
    """Train a fresh tokenizers `model` (BPE or Unigram) on CORPUS with this normalizer and
    pre-tokenizer; its vocabulary (and merges) as keyword arguments of a tokenizer class."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    trainer.show_progress = False
    tokenizer.train_from_iterator(CORPUS, trainer)
    trained = json.loads(tokenizer.to_str())["model"]
    if trained["type"] == "BPE":
        return {"vocab": trained["vocab"], "merges": [tuple(m) for m in trained["merges"]]}
    pieces = [tuple(piece) for piece in trained["vocab"]]
    n_special = len(trainer.special_tokens)  # first, in the order given
    return {"vocab": pieces[:n_special] + sorted(pieces[n_special:])}


def _wordpiece(cls: Any, specials: list[str], **kwargs: Any) -> Any:
    """A WordPiece tokenizer of class `cls` (BERT's normalizer and pre-tokenizer): the pieces
    of a BPE trained with that pipeline, each also as a "##" continuation."""
    from tokenizers import models, trainers

    like = cls(**kwargs).backend_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE // 2, special_tokens=specials)
    trained = _train(models.BPE(), trainer, like.normalizer, like.pre_tokenizer)["vocab"]
    pieces = [p for p in trained if p not in specials]
    vocab = specials + pieces + ["##" + p for p in pieces]
    return cls(vocab={p: i for i, p in enumerate(vocab)}, **kwargs)


def _unigram(cls: Any, specials: list[str], unk: str, **kwargs: Any) -> Any:
    """A Unigram tokenizer of class `cls`, trained with that class's own pipeline."""
    from tokenizers import models, trainers

    like = cls(**kwargs).backend_tokenizer
    trainer = trainers.UnigramTrainer(vocab_size=VOCAB_SIZE, special_tokens=specials,
                                      unk_token=unk)
    return cls(**_train(models.Unigram(), trainer, like.normalizer, like.pre_tokenizer),
               **kwargs)


def _byte_bpe(cls: Any, specials: list[str], **kwargs: Any) -> Any:
    """A byte-level BPE tokenizer of class `cls`, trained with that class's own pipeline."""
    from tokenizers import models, pre_tokenizers, trainers

    like = cls(**kwargs).backend_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    return cls(**_train(models.BPE(), trainer, like.normalizer, like.pre_tokenizer), **kwargs)


def _generic(model: Any, normalizer: Any, pre_tokenizer: Any, template: str,
             specials: dict[str, str]) -> Any:
    """A PreTrainedTokenizerFast around a tokenizers `model` with our own pipeline, whose
    post-processor applies `template` (e.g. "[CLS] $A [SEP]"). It is saved with
    tokenizer_class TokenizersBackend, so AutoTokenizer loads tokenizer.json as it is instead
    of rebuilding the family class's pipeline."""
    from tokenizers import Tokenizer, processors
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    names = [t for t in template.split() if t != "$A"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=template, special_tokens=[(t, tokenizer.token_to_id(t)) for t in names])
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=LIMIT,
                                   **specials)


def _lowercase_unigram(specials: dict[str, str], pre_tokenizer: Any, template: str) -> Any:
    """_generic with a lower-casing Unigram model; `specials` maps role -> token, and its
    tokens come first in the vocabulary, in that order."""
    from tokenizers import models, normalizers, trainers

    tokens = list(specials.values())
    trainer = trainers.UnigramTrainer(vocab_size=VOCAB_SIZE, special_tokens=tokens,
                                      unk_token=specials["unk_token"])
    vocab = _train(models.Unigram(), trainer, normalizers.Lowercase(), pre_tokenizer)["vocab"]
    model = models.Unigram(vocab, unk_id=tokens.index(specials["unk_token"]))
    return _generic(model, normalizers.Lowercase(), pre_tokenizer, template, specials)


# -- saving -----------------------------------------------------------------------------------
def _save(folder: Path, model_class: Any, config: Any, tokenizer: Any) -> Path:
    """Seed, initialise `model_class(config)` and save it with `tokenizer` into `folder`."""
    import torch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    model_class(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _ids(tokenizer: Any, **roles: str) -> dict[str, int]:
    """{"<role>_token_id": id} for the given roles, e.g. pad="[PAD]"."""
    return {f"{role}_token_id": tokenizer.convert_tokens_to_ids(token)
            for role, token in roles.items()}


# -- WordPiece encoders -----------------------------------------------------------------------
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_bert(folder: Path) -> Path:
    """BertModel; uncased WordPiece, [CLS] text [SEP]."""
    from transformers import BertConfig, BertModel, BertTokenizerFast

    tokenizer = _wordpiece(BertTokenizerFast, BERT_SPECIALS, model_max_length=LIMIT)
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=0, **SMALL)
    return _save(folder, BertModel, config, tokenizer)


def build_distilbert(folder: Path) -> Path:
    """DistilBertModel; uncased WordPiece, [CLS] text [SEP]."""
    from transformers import DistilBertConfig, DistilBertModel, DistilBertTokenizerFast

    tokenizer = _wordpiece(DistilBertTokenizerFast, BERT_SPECIALS, model_max_length=LIMIT)
    config = DistilBertConfig(vocab_size=len(tokenizer), dim=32, n_layers=2, n_heads=2,
                              hidden_dim=37, max_position_embeddings=LIMIT, pad_token_id=0)
    return _save(folder, DistilBertModel, config, tokenizer)


def build_electra(folder: Path) -> Path:
    """ElectraModel (the discriminator); uncased WordPiece, [CLS] text [SEP]."""
    from transformers import ElectraConfig, ElectraModel, ElectraTokenizerFast

    tokenizer = _wordpiece(ElectraTokenizerFast, BERT_SPECIALS, model_max_length=LIMIT)
    config = ElectraConfig(vocab_size=len(tokenizer), embedding_size=16, pad_token_id=0,
                           **SMALL)
    return _save(folder, ElectraModel, config, tokenizer)


def build_mpnet(folder: Path) -> Path:
    """MPNetModel; uncased WordPiece, <s> text </s>; RoBERTa-like positions (LIMIT + 2)."""
    from transformers import MPNetConfig, MPNetModel, MPNetTokenizerFast

    tokenizer = _wordpiece(MPNetTokenizerFast, ["<s>", "<pad>", "</s>", "[UNK]", "<mask>"],
                           model_max_length=LIMIT)
    config = MPNetConfig(vocab_size=len(tokenizer), pad_token_id=1, **ROBERTA_LIKE)
    return _save(folder, MPNetModel, config, tokenizer)


# -- SentencePiece-style Unigram encoders ------------------------------------------------------
ALBERT_SPECIALS = {"pad_token": "<pad>", "unk_token": "<unk>", "cls_token": "[CLS]",
                   "sep_token": "[SEP]", "mask_token": "[MASK]"}
XLMR_SPECIALS = {"cls_token": "<s>", "pad_token": "<pad>", "sep_token": "</s>",
                 "unk_token": "<unk>", "mask_token": "<mask>"}


def _albert_config(tokenizer: Any) -> Any:
    from transformers import AlbertConfig

    return AlbertConfig(vocab_size=len(tokenizer), embedding_size=16, pad_token_id=0, **SMALL)


def build_albert(folder: Path) -> Path:
    """AlbertModel with AlbertTokenizer's own pipeline, as transformers 5 rebuilds it on
    loading: lower-cased Unigram, WhitespaceSplit then Metaspace, [CLS] text [SEP]."""
    from transformers import AlbertModel, AlbertTokenizerFast

    tokenizer = _unigram(AlbertTokenizerFast, list(ALBERT_SPECIALS.values()), "<unk>",
                         model_max_length=LIMIT)
    return _save(folder, AlbertModel, _albert_config(tokenizer), tokenizer)


def build_albert_whitespace(folder: Path) -> Path:
    """AlbertModel with a lower-cased Unigram tokenizer that only splits on whitespace (no
    "▁" marks), [CLS] text [SEP]."""
    from tokenizers import pre_tokenizers
    from transformers import AlbertModel

    tokenizer = _lowercase_unigram(ALBERT_SPECIALS, pre_tokenizers.WhitespaceSplit(),
                                   "[CLS] $A [SEP]")
    return _save(folder, AlbertModel, _albert_config(tokenizer), tokenizer)


def _xlmr_config(tokenizer: Any) -> Any:
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(vocab_size=len(tokenizer), type_vocab_size=1, pad_token_id=1,
                            **ROBERTA_LIKE)


def build_xlm_roberta(folder: Path) -> Path:
    """XLMRobertaModel with XLMRobertaTokenizer's own pipeline (cased Unigram, WhitespaceSplit
    then Metaspace, <s> text </s>); RoBERTa-like positions (LIMIT + 2)."""
    from transformers import XLMRobertaModel, XLMRobertaTokenizerFast

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # unk_id 3, as the class assumes
    tokenizer = _unigram(XLMRobertaTokenizerFast, specials, "<unk>", model_max_length=LIMIT)
    return _save(folder, XLMRobertaModel, _xlmr_config(tokenizer), tokenizer)


def build_xlm_roberta_whitespace(folder: Path) -> Path:
    """XLMRobertaModel with a lower-cased Unigram tokenizer that only splits on whitespace,
    <s> text </s>."""
    from tokenizers import pre_tokenizers
    from transformers import XLMRobertaModel

    tokenizer = _lowercase_unigram(XLMR_SPECIALS, pre_tokenizers.WhitespaceSplit(),
                                   "<s> $A </s>")
    return _save(folder, XLMRobertaModel, _xlmr_config(tokenizer), tokenizer)


def build_unigram_metaspace(folder: Path) -> Path:
    """BertModel with a generic lower-cased Unigram + Metaspace tokenizer (no WhitespaceSplit:
    a word's "▁" stands for the space before it and its offsets include that space)."""
    from tokenizers import pre_tokenizers
    from transformers import BertConfig, BertModel

    specials = dict(zip(("pad_token", "unk_token", "cls_token", "sep_token", "mask_token"),
                        BERT_SPECIALS))
    tokenizer = _lowercase_unigram(specials, pre_tokenizers.Metaspace(), "[CLS] $A [SEP]")
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=0, **SMALL)
    return _save(folder, BertModel, config, tokenizer)


def build_deberta_v2(folder: Path) -> Path:
    """DebertaV2Model; a real SentencePiece Unigram model (spm.model, trained with the
    sentencepiece package) converted by transformers, [CLS] text [SEP]; a word's "▁" stands
    for the space before it and its offsets include that space."""
    import io

    import sentencepiece as spm
    from transformers import DebertaV2Config, DebertaV2Model, DebertaV2TokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS), model_writer=model, model_type="unigram",
        vocab_size=VOCAB_SIZE, hard_vocab_limit=False, character_coverage=1.0,
        pad_id=0, pad_piece="[PAD]", bos_id=1, bos_piece="[CLS]", eos_id=2, eos_piece="[SEP]",
        unk_id=3, unk_piece="[UNK]", user_defined_symbols=["[MASK]"], minloglevel=2)
    (folder / "spm.model").write_bytes(model.getvalue())
    tokenizer = DebertaV2TokenizerFast.from_pretrained(folder, model_max_length=LIMIT)
    config = DebertaV2Config(vocab_size=len(tokenizer), pad_token_id=0, relative_attention=True,
                             position_biased_input=False, pos_att_type=["p2c", "c2p"],
                             position_buckets=32, norm_rel_ebd="layer_norm", share_att_key=True,
                             **SMALL)
    return _save(folder, DebertaV2Model, config, tokenizer)


# -- byte-level BPE encoders ------------------------------------------------------------------
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def build_roberta(folder: Path) -> Path:
    """RobertaModel; byte-level BPE with trim_offsets=True, <s> text </s>. Its tokenizer has
    no model_max_length (transformers then reports a huge default), and it has LIMIT + 2
    position embeddings: a text of more than LIMIT tokens overflows them, which a harness that
    takes max_position_embeddings as the token limit does not notice."""
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast

    tokenizer = _byte_bpe(RobertaTokenizerFast, ROBERTA_SPECIALS, trim_offsets=True)
    config = RobertaConfig(vocab_size=len(tokenizer), type_vocab_size=1, pad_token_id=1,
                           **ROBERTA_LIKE)
    folder = _save(folder, RobertaModel, config, tokenizer)
    settings = folder / "tokenizer_config.json"
    saved = json.loads(settings.read_text(encoding="utf-8"))
    saved.pop("model_max_length", None)
    settings.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return folder


def build_modernbert(folder: Path) -> Path:
    """ModernBertModel; byte-level BPE without offset trimming (a word's offsets include the
    space before it), [CLS] text [SEP]."""
    from tokenizers import models, pre_tokenizers, trainers
    from transformers import ModernBertConfig, ModernBertModel

    specials = {"unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                "pad_token": "[PAD]", "mask_token": "[MASK]"}
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=list(specials.values()),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    model = models.BPE(**_train(models.BPE(), trainer, None, byte_level))
    tokenizer = _generic(model, None, byte_level, "[CLS] $A [SEP]", specials)
    roles = _ids(tokenizer, pad="[PAD]", cls="[CLS]", sep="[SEP]", bos="[CLS]", eos="[SEP]")
    config = ModernBertConfig(vocab_size=len(tokenizer), local_attention=16, **SMALL, **roles)
    return _save(folder, ModernBertModel, config, tokenizer)


# -- encoder-decoders -------------------------------------------------------------------------
def _t5_tokenizer() -> Any:
    """T5Tokenizer's own pipeline: cased Unigram, WhitespaceSplit then Metaspace, text </s>."""
    from transformers import T5TokenizerFast

    return _unigram(T5TokenizerFast, ["<pad>", "</s>", "<unk>"], "<unk>", extra_ids=0,
                    model_max_length=LIMIT)


def _t5_config(config_class: Any, tokenizer: Any) -> Any:
    return config_class(vocab_size=len(tokenizer), d_model=32, d_kv=16, d_ff=37, num_layers=2,
                        num_decoder_layers=2, num_heads=2, pad_token_id=0, eos_token_id=1,
                        decoder_start_token_id=0)


def build_t5(folder: Path) -> Path:
    """The full T5ForConditionalGeneration, like a hub T5 checkpoint (AutoModel loads it as
    T5Model, which needs decoder inputs); word vectors come from its encoder."""
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = _t5_tokenizer()
    return _save(folder, T5ForConditionalGeneration, _t5_config(T5Config, tokenizer), tokenizer)


def build_t5_encoder(folder: Path) -> Path:
    """T5EncoderModel alone (config.architectures names it; model_type is still "t5")."""
    from transformers import T5Config, T5EncoderModel

    tokenizer = _t5_tokenizer()
    return _save(folder, T5EncoderModel, _t5_config(T5Config, tokenizer), tokenizer)


def build_mt5(folder: Path) -> Path:
    """The full MT5ForConditionalGeneration with T5's tokenizer pipeline."""
    from transformers import MT5Config, MT5ForConditionalGeneration

    tokenizer = _t5_tokenizer()
    return _save(folder, MT5ForConditionalGeneration, _t5_config(MT5Config, tokenizer),
                 tokenizer)


def build_bart(folder: Path) -> Path:
    """BartModel; RoBERTa's byte-level BPE tokenizer (trim_offsets=True), <s> text </s>."""
    from transformers import BartConfig, BartModel, BartTokenizerFast

    tokenizer = _byte_bpe(BartTokenizerFast, ROBERTA_SPECIALS, model_max_length=LIMIT)
    config = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=2,
                        decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2,
                        encoder_ffn_dim=37, decoder_ffn_dim=37, max_position_embeddings=LIMIT,
                        pad_token_id=1, bos_token_id=0, eos_token_id=2,
                        decoder_start_token_id=2, forced_eos_token_id=2)
    return _save(folder, BartModel, config, tokenizer)


# -- decoder-only -----------------------------------------------------------------------------
def _decoder_config(config_class: Any, tokenizer: Any, **roles: str) -> Any:
    return config_class(vocab_size=len(tokenizer), num_key_value_heads=2,
                        **SMALL, **_ids(tokenizer, **roles))


def build_gpt2(folder: Path) -> Path:
    """GPT2Model; byte-level BPE without offset trimming and without special tokens around a
    text. GPT-2 has no pad token (its only special token is <|endoftext|>)."""
    from transformers import GPT2Config, GPT2Model, GPT2TokenizerFast

    tokenizer = _byte_bpe(GPT2TokenizerFast, ["<|endoftext|>"], model_max_length=LIMIT)
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = GPT2Config(vocab_size=len(tokenizer), n_embd=32, n_layer=2, n_head=2, n_inner=37,
                        n_positions=LIMIT, bos_token_id=eos, eos_token_id=eos)
    return _save(folder, GPT2Model, config, tokenizer)


def build_llama(folder: Path) -> Path:
    """LlamaModel; LlamaTokenizer's own pipeline (SentencePiece-style BPE, Metaspace without
    splitting, byte fallback with the 256 <0x..> pieces: a character outside CORPUS is its
    bytes) whose post-processor adds <s> (BOS) before a text. Like Llama 2 it has no pad
    token."""
    from tokenizers import models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaModel, LlamaTokenizerFast

    kwargs = {"add_bos_token": True, "add_eos_token": False, "model_max_length": LIMIT}
    like = LlamaTokenizerFast(**kwargs).backend_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=["<unk>", "<s>", "</s>"])
    # trained on words (split=True) so that no piece spans a space, as in SentencePiece
    vocab = _train(models.BPE(), trainer, like.normalizer, pre_tokenizers.Metaspace(split=True))
    # byte-fallback pieces, as a real Llama vocabulary has: any character gets tokens (and
    # offsets), never nothing
    pieces = vocab["vocab"]
    pieces.update({f"<0x{b:02X}>": len(pieces) + b for b in range(256)})
    tokenizer = LlamaTokenizerFast(**vocab, **kwargs)
    config = _decoder_config(LlamaConfig, tokenizer, bos="<s>", eos="</s>")
    return _save(folder, LlamaModel, config, tokenizer)


def build_qwen2(folder: Path) -> Path:
    """Qwen2Model; Qwen2Tokenizer's own pipeline (NFC, a pre-split regex, byte-level BPE, no
    offset trimming), no BOS or EOS around a text; pad and eos are <|endoftext|>."""
    from transformers import Qwen2Config, Qwen2Model, Qwen2TokenizerFast

    tokenizer = _byte_bpe(Qwen2TokenizerFast, ["<|endoftext|>"], model_max_length=LIMIT)
    config = _decoder_config(Qwen2Config, tokenizer, pad="<|endoftext|>", eos="<|endoftext|>")
    return _save(folder, Qwen2Model, config, tokenizer)


FAMILIES: dict[str, Callable[[Path], Path]] = {
    "bert": build_bert,
    "distilbert": build_distilbert,
    "electra": build_electra,
    "mpnet": build_mpnet,
    "albert": build_albert,
    "albert-whitespace": build_albert_whitespace,
    "xlm-roberta": build_xlm_roberta,
    "xlm-roberta-whitespace": build_xlm_roberta_whitespace,
    "unigram-metaspace": build_unigram_metaspace,
    "deberta-v2": build_deberta_v2,
    "roberta": build_roberta,
    "modernbert": build_modernbert,
    "t5": build_t5,
    "t5-encoder": build_t5_encoder,
    "mt5": build_mt5,
    "bart": build_bart,
    "gpt2": build_gpt2,
    "llama": build_llama,
    "qwen2": build_qwen2,
}
DECODER_ONLY = frozenset({"gpt2", "llama", "qwen2"})


def build(family: str, folder: Path) -> Path:
    """Build the tiny model of `family` (a key of FAMILIES) into `folder`; returns `folder`."""
    return FAMILIES[family](Path(folder))


# -- the reference ----------------------------------------------------------------------------
Item = tuple[str, tuple[int, int] | None]  # a harness.backend.Item is one too


def reference_vectors(folder: Path | str, items: Sequence[Item],
                      layers: Sequence[int] | None = None, decoder_context: str = "left",
                      max_length: int | None = None) -> np.ndarray:
    """Word vectors computed with transformers directly, one item at a time (no batching, no
    padding); an (items, hidden size) float64 array.

    An item is (text, (start, end)): the character span of the target word(s) in text. Rules:

    - Tokens: the tokenizer's own call, `tokenizer(text, return_offsets_mapping=True)`, with
      the model's own special-token template.
    - Target tokens: those whose character offsets overlap at least one non-whitespace
      character of the span. A leading "▁", "Ġ" or space inside a token's offsets never
      disqualifies it; special tokens ((0, 0) offsets) never count; a token covering only
      whitespace inside a multi-word target is left out. No target token: ValueError.
    - Model: the class the folder was saved as (config.architectures[0]; AutoModel when it
      names none), run with output_hidden_states=True. An encoder-decoder model
      (config.is_encoder_decoder) runs its encoder only (`get_encoder()`), whose hidden
      states are used; a T5EncoderModel folder (is_encoder_decoder false) is that encoder.
    - Layers: `layers` indexes the hidden states (0: the embedding output, negative from the
      top). Default: the last four (-4..-1), or every transformer layer (1..n, never the
      embeddings) when the model has fewer than four. The chosen layers are summed, then the
      target's tokens averaged.
    - decoder_context: "left" reads the text as it is; "repeat" (for decoder-only models)
      reads text + " " + text through the tokenizer's own call (so the template applies once)
      and takes the target in the second copy (span shifted by len(text) + 1).
    - max_length (the model's real position limit in tokens, special tokens included): when
      the tokenized text is longer, window = max_length - the number of special tokens; of
      the n text tokens only [lo, lo + window) are kept, lo = min(max(0, a - (window -
      (b - a)) // 2), n - window) where [a, b) are the target's first and last text tokens,
      and the special tokens stay around them. This equals tokenizing without special tokens,
      cutting the window and adding the special tokens back.

    A whole-sentence item (text, None) is not supported: NotImplementedError.
    """
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    saved_as = transformers.AutoConfig.from_pretrained(folder).architectures
    model_class = getattr(transformers, saved_as[0]) if saved_as else transformers.AutoModel
    model = model_class.from_pretrained(folder).eval()
    if model.config.is_encoder_decoder:
        model = model.get_encoder()
    rows = []
    for text, span in items:
        if span is None:
            raise NotImplementedError("whole-sentence items have no reference")
        if decoder_context == "repeat":
            shift = len(text) + 1
            text, span = f"{text} {text}", (span[0] + shift, span[1] + shift)
        elif decoder_context != "left":
            raise ValueError(f"decoder_context={decoder_context!r}: 'left' or 'repeat'")
        encoding = tokenizer(text, return_special_tokens_mask=True)
        ids, special = encoding["input_ids"], encoding["special_tokens_mask"]
        target = target_tokens(tokenizer, text, span)
        if not target:
            raise ValueError(f"no token of {text!r} covers {text[span[0]:span[1]]!r}")
        keep = list(range(len(ids)))
        if max_length is not None and len(ids) > max_length:
            keep = _window(special, target, max_length)
        with torch.no_grad():
            out = model(input_ids=torch.tensor([[ids[i] for i in keep]]),
                        attention_mask=torch.ones(1, len(keep), dtype=torch.long),
                        output_hidden_states=True)
        states = [h[0].double().numpy() for h in out.hidden_states]
        summed = sum(states[j] for j in (layers or default_layers(len(states))))
        rows.append(summed[[keep.index(i) for i in target]].mean(axis=0))
    return np.stack(rows)


def default_layers(n_states: int) -> list[int]:
    """The last four hidden states, or every transformer layer (1..n) when there are fewer than
    four; `n_states` counts the embedding output (index 0)."""
    n_layers = n_states - 1
    return list(range(n_layers - 3, n_layers + 1)) if n_layers >= 4 else list(
        range(1, n_layers + 1))


def target_tokens(tokenizer: Any, text: str, span: tuple[int, int]) -> list[int]:
    """Positions in `tokenizer(text)` (special tokens included) of the tokens whose offsets
    overlap a non-whitespace character of `span`; special tokens never count."""
    encoding = tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True)
    return [i for i, ((start, end), special) in enumerate(zip(encoding["offset_mapping"],
                                                               encoding["special_tokens_mask"]))
            if not special and _covers_text(text, span, start, end)]


def _covers_text(text: str, span: tuple[int, int], start: int, end: int) -> bool:
    """Whether characters [start, end) include a non-whitespace character of `span`."""
    return any(not c.isspace() for c in text[max(start, span[0]):min(end, span[1])])


def _window(special: Sequence[int], target: Sequence[int], max_length: int) -> list[int]:
    """Positions kept when a sequence is cut to `max_length` around the target: every special
    token, and `window` text tokens centred on the target as reference_vectors describes."""
    text_positions = [i for i, s in enumerate(special) if not s]
    n = len(text_positions)
    window = max_length - (len(special) - n)
    a, b = text_positions.index(target[0]), text_positions.index(target[-1]) + 1
    if b - a > window:
        raise ValueError(f"the target is {b - a} tokens, more than a window of {window}")
    lo = min(max(0, a - (window - (b - a)) // 2), n - window)
    kept = set(text_positions[lo:lo + window])
    return [i for i, s in enumerate(special) if s or i in kept]


# -- contexts the family tests share ----------------------------------------------------------

LONG = " ".join(CORPUS)


def item(text: str, word: str, occurrence: int = 1) -> tuple[str, tuple[int, int]]:
    """(text, span) of the `occurrence`-th `word` in `text`."""
    start = -1
    for _ in range(occurrence):
        start = text.index(word, start + 1)
    return text, (start, start + len(word))


CASES = {
    "single piece": item("A mouse is a rodent animal.", "mouse"),
    "several pieces": item("The hippopotamus is a large animal.", "hippopotamus"),
    "after a space": item("A computer has a keyboard as an input device.", "keyboard"),
    "after punctuation": item("Rodents (mouse, rat) live in the sewers.", "mouse"),
    "at the start": item("Mouse is a word with two meanings.", "Mouse"),
    "second occurrence": item("A mouse saw another mouse.", "mouse", 2),
    "multi-word": item("She sat on the river bank at night.", "river bank"),
}
LONG_CASES = {
    "near the start": item(LONG, "mouse"),
    "in the middle": item(LONG, "café"),
    "at the end": item(LONG, "nine"),
}
