"""Writes examples/contextualized-word-embeddings.ipynb: the course notebook this project grew
from, retold with the harness's API on the shipped models. The cells are defined here (the one
source of truth); the notebook is executed with nbclient and saved with its outputs, so that it
reads on GitHub as it ran. tests/test_notebook.py runs it again and checks it matches.

    python examples/make_notebook.py            # build, execute (about two minutes), save
    python examples/make_notebook.py --no-run   # the cells only, no outputs
"""

from __future__ import annotations

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "contextualized-word-embeddings.ipynb"

CELLS: list[tuple[str, str]] = [
    ("markdown", """\
# Contextualized word embeddings, retold with wic-harness

This project began as a course notebook. It loaded Google's BERT-base TensorFlow checkpoint,
took the vectors of *mouse* and *lean* from the last four layers, and checked orderings such as
"mouse-as-animal is closer to *rat* than to *keyboard*". BERT-base printed cosines like these:

| pair | cosine |
|---|---|
| mouse1 - rat | 0.9898 |
| mouse1 - keyboard | 0.9887 |
| lean2 - greasy | 0.9148 |
| lean2 - tilt | 0.9176 |

Every cosine is near 0.99 and every margin is in the third decimal. Does a margin of 0.001 mean
anything? This notebook retells the story with the harness on the models it ships (BERT-base is
not shipped: `minilm-tf` is all-MiniLM-L6-v2 as a Google-format TF checkpoint, read the way the
notebook read BERT, last four layers), and then asks what the margins are worth."""),
    ("code", """\
import warnings
from pathlib import Path
from tempfile import mkdtemp

import pandas as pd
from IPython.display import Image, display

import harness

pd.set_option("display.precision", 4)
warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm without ipywidgets
SUITE = "polysemy"  # the notebook's two quartets: a suite that ships with wic-harness"""),
    ("markdown", """\
## 1. The four similarities

`harness.similarities` is the notebook's `get_bert_embeddings` and cosine in one call: a
context is `(sentence, word)`, and the word's vector comes from its word pieces."""),
    ("code", """\
mouse = {
    "mouse1": ("A mouse is a rodent animal.", "mouse"),
    "mouse2": ("A mouse is a computer device.", "mouse"),
    "rat": ("A rat is an animal that lives in the sewers.", "rat"),
    "keyboard": ("A computer has a keyboard as an input device.", "keyboard"),
}
lean = {
    "lean1": ("I like my steak lean.", "lean"),
    "lean2": ("Gravity made the tower lean to the side.", "lean"),
    "greasy": ("The steak is very greasy.", "greasy"),
    "tilt": ("The corner made the cat tilt sideways.", "tilt"),
}


def four(backend):
    m, n = harness.similarities(backend, mouse), harness.similarities(backend, lean)
    return pd.Series({
        "mouse1 - rat": m.loc["mouse1", "rat"], "mouse1 - keyboard": m.loc["mouse1", "keyboard"],
        "mouse2 - rat": m.loc["mouse2", "rat"], "mouse2 - keyboard": m.loc["mouse2", "keyboard"],
        "lean1 - greasy": n.loc["lean1", "greasy"], "lean1 - tilt": n.loc["lean1", "tilt"],
        "lean2 - greasy": n.loc["lean2", "greasy"], "lean2 - tilt": n.loc["lean2", "tilt"],
    })


similar = pd.DataFrame({b: four(b) for b in ["minilm-tf", "minilm", "glove-50d"]})
similar"""),
    ("markdown", """\
`minilm-tf` and `minilm` are one model read by two frameworks: their columns agree to about
1e-6. GloVe has one vector per word, whatever the sentence, so its mouse1 and mouse2 rows are
the same."""),
    ("markdown", """\
## 2. How much do the margins mean?

`harness.run` scores the orderings the notebook expected. Each backend's results carry a
*baseline*: on a fixed reference sample of 2,000 words in context (WordNet 3.0's gloss
examples), the mean cosine of two **different** words and how much it varies (its standard
deviation). A margin is then also given in those standard deviations, `margin_sd`: how far the
ordering is from what two unrelated words would show. A pass below 0.5 of them is flagged
*weak*."""),
    ("code", """\
results = harness.run(SUITE, ["minilm-tf", "glove-50d"])
results  # in a notebook: the summary, with each backend's baseline"""),
    ("code", """\
pd.DataFrame({name: record.calibration for name, record in results.backends.items()}).T[
    ["baseline_similarity", "baseline_sd"]]"""),
    ("code", """\
table = results.to_frame()[["backend", "test", "expectation", "sim_closer", "sim_farther",
                            "margin", "margin_sd", "passed", "weak"]]
table"""),
    ("code", """\
results.summary[["backend", "passed", "total", "weak", "median_margin_sd"]]"""),
    ("markdown", """\
### Why minilm-tf fails two of the eight

minilm-tf gets every *cross-context* expectation right ("rat is closer to the animal mouse than
to the device mouse") but fails one ordering in each quartet, in the same direction: the two
that ask the *rarer* sense of the word to win."""),
    ("code", """\
table[(table.backend == "minilm-tf") & ~table.passed]"""),
    ("markdown", """\
`mouse2: keyboard > rat` asks the computer mouse to be closer to *keyboard* than to *rat*;
`lean1: greasy > tilt` asks the meat sense of *lean* to be closer to *greasy* than to *tilt*.
In both, the word's vector keeps leaning to its more frequent sense (the animal, the verb).
The context does move it: the cross-context expectations pass (mouse2 is nearer *keyboard*
than mouse1 is). But it does not move it across the line, and these are no near misses: each
fails by about 1.3 standard deviations of the baseline (`margin_sd`), as much as the passes
succeed by. That is a finding about the model, not a fault of the suite: this small model,
trained for sentence similarity, keeps a strong prior for a word's dominant sense."""),
    ("markdown", """\
Read `margin_sd` against `margin`: the same raw margin is worth more standard deviations in a
model whose unrelated pairs vary little. The notebook's BERT margins of 0.001 would be worth
little unless its baseline varied even less."""),
    ("markdown", """\
## 3. The same, standardised

Every backend takes a `postprocess` option, fitted on its own vectors of the reference sample:
`center` subtracts their mean, `standardize` also divides each dimension by its standard
deviation, `abtt:D` removes the top D principal directions ("all-but-the-top"). It removes the
common direction that makes every cosine look alike."""),
    ("code", """\
standardized = harness.run(SUITE, ["minilm-tf:postprocess=standardize",
                                   "glove-50d:postprocess=standardize"])
pd.concat([results.summary, standardized.summary])[
    ["backend", "passed", "total", "weak", "median_margin_sd"]]"""),
    ("code", """\
pd.DataFrame({"raw": four("minilm-tf"),
              "standardized": four("minilm-tf:postprocess=standardize")})"""),
    ("markdown", """\
## 4. A map of senses

WordNet has few example sentences per sense: *mouse* has two senses with one example each. The
notebook's own sentences, with a few more of each sense, make a better picture; a file of
(sense, text, word) rows is all `harness.senses` needs. Its map is a guide, not a measurement:
PCA keeps only two directions of 384."""),
    ("code", """\
rows = [
    ("animal", "A mouse is a rodent animal."),
    ("animal", "The cat caught a mouse in the barn."),
    ("animal", "A field mouse nibbled the grain."),
    ("animal", "The mouse ran into its hole."),
    ("device", "A mouse is a computer device."),
    ("device", "Click twice with the left mouse button."),
    ("device", "My wireless mouse needs new batteries."),
    ("device", "Move the mouse to the corner of the screen."),
]
path = Path(mkdtemp()) / "mouse.tsv"
path.write_text("sense\\ttext\\tword\\n" + "".join(f"{s}\\t{t}\\tmouse\\n" for s, t in rows))

found = harness.senses("minilm", file=path)
print(found.note)
found  # in a notebook: the map (hover a point for its sentence)"""),
    ("code", """\
try:
    lean_map = harness.senses("minilm", wordnet="lean")
except FileNotFoundError as missing:  # WordNet's database files: apt-get install wordnet-base
    print(missing)
else:
    print(lean_map.note)
    display(lean_map)"""),
    ("markdown", """\
## 5. Where in the model words become contextual

Ethayarajh (2019) measured, layer by layer, how alike a word's vectors are across sentences
(self-similarity), how alike the words of one sentence are (intra-sentence similarity) and how
much of a word's variation one direction explains (MEV), each less the anisotropy baseline.
`harness.geometry` does it on the reference sample, every layer from one forward pass."""),
    ("code", """\
rows = harness.geometry(["minilm", "glove-50d"])
display(rows)  # a table, one row per layer
display(Image(rows.png()))  # each measure against layer"""),
    ("markdown", """\
## 6. Your own Google checkpoint

The course notebook used Google's original BERT-base checkpoint,
`uncased_L-12_H-768_A-12.zip`. The harness reads such a zip (or its unpacked folder) as it is:
put it beside this notebook (it is not shipped: about 400 MB from Google's BERT release) and
run the cell; any Google-format BERT checkpoint works the same way, `-b tf:checkpoint=PATH`
on the command line."""),
    ("code", """\
checkpoint = Path("uncased_L-12_H-768_A-12.zip")
if checkpoint.exists():
    bert = f"tf:checkpoint={checkpoint}"
    display(harness.run(SUITE, [bert]))
    display(pd.DataFrame({"bert-base": four(bert)}))
else:
    print(f"{checkpoint} is not here: download it from Google's BERT release "
          "(https://storage.googleapis.com/bert_models/2018_10_18/uncased_L-12_H-768_A-12.zip) "
          "and run this cell again")"""),
    ("markdown", """\
The same from the command line: `harness run polysemy -b minilm-tf`,
`harness senses -b minilm --wordnet bank`, `harness geometry -b minilm -b glove-50d`."""),
]


def build():
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    for n, (kind, source) in enumerate(CELLS):
        cell = make[kind](source)
        cell["id"] = f"cell-{n:02d}"  # stable ids: a rebuild changes only what changed
        notebook.cells.append(cell)
    return notebook


def execute(notebook, timeout: int = 900):
    """Runs every cell in examples/ (where the notebook lives); raises on the first error."""
    from nbclient import NotebookClient

    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return notebook


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-run", action="store_true", help="write the cells without outputs")
    parser.add_argument("-o", "--output", default=str(NOTEBOOK))
    args = parser.parse_args(argv)
    notebook = build()
    if not args.no_run:
        execute(notebook)
    nbformat.write(notebook, args.output)
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
