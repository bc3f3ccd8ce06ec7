"""Report formats: the files written into a run's output folder, each rendered from `Results`.
The built-in ones (results.json, report.md, ...) register through `harness_register_reports`
from harness/reports/builtin.py, exactly as a plugin's do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import PluginError
from harness.plugins.catalog import Registrar

if TYPE_CHECKING:
    from harness.pipeline.results import Results

# the run as the file's text (or bytes); None: nothing to write for this run
Render = Callable[["Results"], "str | bytes | None"]


@dataclass(frozen=True)
class PluginReport:
    name: str  # the file name in the output folder
    render: Render
    source: str
    description: str = ""


class ReportRegistration(Registrar[PluginReport]):
    """Handed to `harness_register_reports`; collects one plugin's report formats."""

    noun = "report"

    def add_report(self, name: str, render: Render, *, description: str = "") -> None:
        """Write `name` (a file name, such as "report.md") into every run's output folder:
        `render(results)` returns its text or bytes, or None to write nothing for this run."""
        if not isinstance(name, str) or not name or any(c in name for c in "/\\") or (
                name.startswith(".")):
            raise PluginError(f"{self.source}: bad report file name {name!r} (a plain file name "
                              "such as 'report.txt': no '/' or '\\', not starting with '.')")
        if not callable(render):
            raise PluginError(f"{self.source}: report {name!r}: render must be a function of "
                              f"the results, got {render!r}")
        self.registered.add(PluginReport(name, render, self.source, description))
