"""results.json (schema 1): everything a run found; every other report derives from it."""

from __future__ import annotations

import json

from harness.results import Results


def render(results: Results) -> str:
    return json.dumps(results.to_dict(), indent=2, ensure_ascii=False) + "\n"
