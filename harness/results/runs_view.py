"""The text `harness runs list` and `harness runs show` print for stored runs: plain text on a
terminal (harness/cli/terminal.py escapes what it must), one line per run, and one run's
identity, labels and summary."""

from __future__ import annotations

from typing import Any

from harness.results.runs import RunInfo, StoredRun


def _names(store, table: str, run_id: str) -> list[str]:
    return [name for (name,) in store._query(
        f"SELECT name FROM {table} WHERE run_id = ? ORDER BY id", (run_id,))]


def run_lines(store, infos: list[RunInfo]) -> list[str]:
    """One line per run: id (12 digits), when, commit, labels, backends and suites."""
    lines = []
    for info in infos:
        labels = " ".join(f"{k}={v}" for k, v in sorted(info.labels.items()))
        commit = (info.commit or "-")[:12] + ("-dirty" if (info.commit or "").endswith(
            "-dirty") else "")
        lines.append(f"{info.id[:12]}  {info.created}  {commit:<12}  "
                     f"{', '.join(_names(store, 'run_backends', info.id))} on "
                     f"{', '.join(_names(store, 'run_suites', info.id))}"
                     + (f"  [{labels}]" if labels else ""))
    return lines


def show_text(stored: StoredRun, study: tuple[str, dict[str, Any]] | None = None) -> str:
    """One run: its identity and labels, its backends, and its summary table."""
    info, results = stored.info, stored.results
    lines = [f"run {info.id}", f"created: {info.created}",
             f"harness: {info.harness_version}", f"command: {info.command or '-'}",
             f"commit: {info.commit or '-'}"]
    lines += [f"label {k}: {v}" for k, v in sorted(info.labels.items())]
    lines += [f"study: {study[0]}"] if study else []
    lines.append("backends:")
    lines += [f"  {name}: {rec.plugin} {rec.status}"
              + (f" (fingerprint {rec.fingerprint})" if rec.fingerprint else "")
              for name, rec in results.backends.items()]
    lines.append("suites:")
    lines += [f"  {s}" + (f" (fingerprint {results.suite_fingerprints[s]})"
                          if s in results.suite_fingerprints else "") for s in results.suites]
    lines.append("summary:")
    for row in results.summary_rows:
        score = "-" if row.accuracy is None else f"{row.accuracy:.3f}"
        extra = (f", median rho {row.median_spearman:.3f}"
                 if row.median_spearman is not None else "")
        lines.append(f"  {row.backend} on {row.suite}: accuracy {score} "
                     f"({row.passed}/{row.total}){extra} {row.status}")
    return "\n".join(lines)
