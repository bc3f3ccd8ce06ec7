"""`harness leaderboard`'s site: the table of models by suite with honest ranks
(`table.py`, from harness/measures/ranking.py), rendered as a self-contained index.html
(`site.py`, a Jinja2 template with autoescape), leaderboard.md, .csv and .json
(`files.py`), beside the history's pictures (harness/reports/history.py)."""

__all__: list[str] = []  # internal: `harness leaderboard` and `harness.reports.leaderboard.write`
