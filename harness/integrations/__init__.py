"""Bridges to other libraries' objects, imported only when a user asks for one.

`harness.integrations.sentence_transformers`: a SentenceTransformer in memory as a backend
(`harness.run(suites, [model])`) and `SuiteEvaluator`, an evaluator for sentence-transformers'
trainer. Importing this package imports no framework; the submodule imports
sentence-transformers when its evaluator is first used."""

__all__: list[str] = []
