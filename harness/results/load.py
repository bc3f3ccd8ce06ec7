"""Reading a finished run: a results.json file, checked, as `Results` (the rows of a plugin's
kind of test read by its measure, when one is installed)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.errors import HarnessError
from harness.results.model import Results, json_kind, top_level_problems


def load_results(path: str | Path) -> Results:
    """A results.json, or a HarnessError that names the file and what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(f"{path}: not a results.json ({exc})") from None
    return results_from_data(data, path)


def results_from_data(data: object, path: str | Path) -> Results:
    """results.json's content as `Results`, or a HarnessError naming `path` (where it came
    from) and what is wrong."""
    if not isinstance(data, dict):
        raise HarnessError(f"{path}: not a results.json (it holds {json_kind(data)}, not "
                           "an object); give the results.json a `harness run` wrote")
    problems = top_level_problems(data)
    if problems:
        raise HarnessError(f"{path}: not a results.json of schema 1 ({problems}); give the "
                           "results.json a `harness run` wrote")
    if data["schema"] != 1:
        raise HarnessError(f"{path}: results schema {data['schema']}; this harness reads "
                           "schema 1")
    measures = []
    if data.get("measures"):  # a plugin's kind of test: read by its measure
        from harness.suites.kinds import plugin_measures

        measures = plugin_measures()
        kinds = data["measures"] if isinstance(data["measures"], dict) else {}
        lacking = sorted(set(kinds) - {m.kind for m in measures})
        if lacking:
            raise HarnessError(f"{path}: it holds tests of the kind {lacking[0]!r}, which no "
                               "installed plugin measures: install the plugin that adds it")
    try:
        return Results.from_dict(data, measures)
    except ValueError as exc:  # names the row and the fields it lacks
        raise HarnessError(f"{path}: not a results.json of schema 1 ({exc}); give the "
                           "results.json a `harness run` wrote") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise HarnessError(f"{path}: not a results.json of schema 1 (a row or backend does not "
                           f"read: {type(exc).__name__} {exc}); give the results.json a "
                           "`harness run` wrote") from None

