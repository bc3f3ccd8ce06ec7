"""leaderboard.md (for a pull request's comment: every value through `markdown_text`),
leaderboard.csv (the csv module, formula-looking cells defused) and leaderboard.json."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from harness.reports.leaderboard.table import cell_text
from harness.reports.text import csv_row, markdown_table, markdown_text


def leaderboard_markdown(board: dict[str, Any]) -> str:
    """A heading, what the ranks are, and the table (a cell: score #rank [interval])."""
    labels = [c["label"] for c in board["columns"]]
    headers = ["rank", "model", *board["card_fields"], *labels]
    rows = [[str(m["rank"]), m["model"], *(str(m["card"].get(k, "")) for k in
                                          board["card_fields"]),
             *(cell_text(m["cells"].get(label)) for label in labels)]
            for m in board["models"]]
    kinds = ", ".join(sorted({f"{markdown_text(c['label'])}: {c['score']}"
                              for c in board["columns"]}))
    return ("# Leaderboard\n\n"
            f"{len(board['models'])} models, {len(labels)} suites, {board['runs']} runs. "
            "Each cell: the main score, `#` the shared rank (1 + the models significantly "
            "better on the items both scored: exact McNemar, or a paired bootstrap for rho; "
            "Holm's correction per suite, 5%) and, in brackets, the 95% interval of its rank "
            "by score alone (bootstrap over items; it may lie below the shared rank). "
            "Rank: a Borda count of the shared ranks.\n\n"
            f"Scores: {kinds}.\n\n" + markdown_table(headers, rows) + "\n")


def leaderboard_csv(board: dict[str, Any]) -> str:
    """One row per model and column: rank, model, card fields, column, suite, fingerprint,
    kind, score, shared rank, interval, items, run."""
    out = io.StringIO()
    fields = ["rank", "model", *board["card_fields"], "column", "suite", "fingerprint", "kind",
              "score", "shared_rank", "rank_low", "rank_high", "items", "not_zero_shot", "run",
              "created"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for m in board["models"]:
        for column in board["columns"]:
            cell = m["cells"].get(column["label"])
            if cell is None:
                continue
            writer.writerow(csv_row({
                "rank": m["rank"], "model": m["model"],
                **{k: m["card"].get(k, "") for k in board["card_fields"]},
                "column": column["label"], "suite": column["suite"],
                "fingerprint": column["fingerprint"], "kind": column["kind"],
                "score": "" if cell["score"] is None else repr(cell["score"]),
                "shared_rank": cell["rank"], "rank_low": cell["low"],
                "rank_high": cell["high"], "items": cell["items"],
                "not_zero_shot": ";".join(cell["trained_on"]), "run": cell["run"],
                "created": cell["created"]}))
    return out.getvalue()


def leaderboard_json(board: dict[str, Any]) -> str:
    return json.dumps(board, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
