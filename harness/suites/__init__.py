"""Suites: the data classes (`model`), finding a word in its text (`words`), reading YAML safely
(`yaml`) and checking a suite file (`validate`), and suites built from real data (`builders`,
from `wordnet` and `wic_format`)."""

__all__: list[str] = []  # internal: the public names are harness's and harness.plugin_api's
