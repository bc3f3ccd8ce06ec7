"""Suites: the data classes (`model`), finding a word in its text (`words`), reading YAML safely
(`yaml`) and checking a suite file (`validate`), and suites built from real data (`builders`,
from `wordnet` and `wic_format`)."""
