"""Kinds of test (measures): `base.Measure`, what a kind fills in; the built-in kinds,
orderings and graded pairs, registered from `builtin` through `harness_register_measures`."""

__all__: list[str] = []  # internal: users reach Results through `harness`, plugin authors
# Measure through `harness.plugin_api`
