"""Finished runs: `model` (`Results` and its results.json form, the rows of the built-in kinds of
test in `rows`), reading and checking a results.json (`load`), and comparing runs (`compare`).
The next place for a history of runs."""

__all__: list[str] = []  # internal: users reach Results through `harness`, plugin authors
# Measure through `harness.plugin_api`
