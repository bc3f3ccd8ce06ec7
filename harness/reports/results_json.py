"""results.json (schema 1): everything a run found; every other report derives from it."""

from __future__ import annotations

import json

from harness.results.model import Results


def render(results: Results) -> str:
    """The run as JSON; a large run's similarity matrices are in similarities.parquet, which
    `similarities_file` then names."""
    from harness.reports import similarities

    inline = not similarities.in_side_file(results)
    data = results.to_dict(similarities=inline)
    if not inline:
        data["similarities_file"] = similarities.FILE
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
