"""The tables every report shows, computed once from `Results`: headers and cells of the
summary, the controls, the backends and the expectations. Renderers (text, markdown, HTML)
only lay them out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from harness.reports.text import markdown_table, text_table
from harness.results.model import Results
from harness.results.rows import CorrelationResult, ExpectationResult, SummaryRow

MAX_MARKDOWN_ROWS = 200  # report.md stays small enough for a pull-request comment
MAX_HTML_ROWS = 5000  # report.html stays quick to open; results.csv has every row


@dataclass(frozen=True)
class Table:
    """Headers and rows of cells (strings); which columns are numbers (right-aligned in
    HTML); and optionally a class per row (an expectation's outcome)."""

    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    row_classes: list[str] = field(default_factory=list)
    row_links: list[str] = field(default_factory=list)  # an anchor per row ("": none)

    def as_text(self) -> str:
        return text_table(self.headers, self.rows)

    def as_markdown(self) -> str:
        return markdown_table(self.headers, self.rows)


def number(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def outcome(row: ExpectationResult) -> str:
    if row.error is not None:
        return "unscored"
    if row.tie:
        return "tie"
    if row.passed:
        return "pass (weak)" if row.weak else "pass"
    return "FAIL"


# -- summary ---------------------------------------------------------------------------------

SUMMARY_HEADERS = ["backend", "suite", "passed", "accuracy", "ties", "tests passed", "weak",
                   "median margin/sd", "baseline", "status"]


def baseline_cell(calibration: dict | None) -> str:
    """The baseline cosine of unrelated pairs, ± its standard deviation."""
    if not calibration:
        return "-"
    return f"{calibration['baseline_similarity']:.3f} ± {calibration['baseline_sd']:.3f}"


GRADED_HEADERS = ["graded tests", "median rho"]  # only in runs with graded tests


def summary_cells(row: SummaryRow, calibration: dict | None = None,
                  graded: bool = False) -> list[str]:
    extra = [str(row.graded_tests), number(row.median_spearman, 3) or "-"] if graded else []
    if row.status != "ok":
        return [row.backend, row.suite, "-", "-", "-", "-", "-", "-", "-",
                *(["-", "-"] if graded else []), f"{row.status}: {row.error}"]
    status = "ok" if not row.unscored else f"ok, {row.unscored} unscored"
    if not row.total:  # graded tests only
        return [row.backend, row.suite, "-", "-", "-", "-", "-", "-",
                baseline_cell(calibration), *extra, status]
    return [
        row.backend, row.suite, f"{row.passed}/{row.total}", number(row.accuracy, 3),
        str(row.ties), f"{row.tests_passed}/{row.tests_total}",
        str(row.weak) if calibration else "-", number(row.median_margin_sd, 2) or "-",
        baseline_cell(calibration), *extra, status,
    ]


def summary_table(results: Results) -> Table:
    """The summary, a suite marked † where the backend is not zero-shot (`zero_shot_note`)."""
    graded = bool(results.correlation_rows) or any(s.graded_tests for s in results.summary_rows)
    headers = SUMMARY_HEADERS[:-1] + (GRADED_HEADERS if graded else []) + SUMMARY_HEADERS[-1:]
    rows = []
    for s in results.summary_rows:
        record = results.backends.get(s.backend)
        cells = summary_cells(s, record.calibration if record else None, graded)
        if record is not None and s.suite in record.contamination:
            cells[1] += f" {NOT_ZERO_SHOT}"
        rows.append(cells)
    return Table(headers, rows, frozenset({3, 4, 6, 7, *([9, 10] if graded else [])}))


NOT_ZERO_SHOT = "†"


def zero_shot_note(results: Results) -> str:
    """What † means in the summary, naming each backend, suite and data set; "" when no
    backend's card lists a data set a suite of the run was built from."""
    found = [f"{name} on {suite} ({', '.join(sets)})"
             for name, record in results.backends.items()
             for suite, sets in record.contamination.items()]
    if not found:
        return ""
    return (f"{NOT_ZERO_SHOT} not zero-shot: the model card lists among its training data a "
            f"data set the suite was built from: {'; '.join(found)}.")


def card_text(card: dict | None) -> str:
    """A model card in a few words: parameters, width, layers, length, licence."""
    if not card:
        return ""
    parts = []
    if card.get("parameters"):
        n = card["parameters"]
        parts.append(f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.1f}M" if n >= 1e6
                     else str(n))
        parts[-1] += " parameters"
    for key, what in (("width", "width"), ("layers", "layers"), ("max_length", "max tokens"),
                      ("vocabulary", "vocabulary")):
        if card.get(key):
            parts.append(f"{what} {card[key]}")
    parts += [str(card[k]) for k in ("licence", "base_model") if card.get(k)]
    return ", ".join(parts)


# -- graded tests ----------------------------------------------------------------------------

CORRELATION_HEADERS = ["backend", "suite", "test", "pairs", "scored", "Spearman rho [95% CI]",
                       "Pearson r [95% CI]", "note"]


def with_interval(value: float | None, interval: list[float] | None) -> str:
    """0.503 [0.416, 0.582], or the value alone, or "-"."""
    if value is None:
        return "-"
    return f"{value:.3f}" + (f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else "")


def correlations_table(rows: Sequence[CorrelationResult]) -> Table:
    return Table(CORRELATION_HEADERS, [
        [c.backend, c.suite, c.test, str(c.pairs), str(c.scored),
         with_interval(c.spearman, c.spearman_ci), with_interval(c.pearson, c.pearson_ci),
         c.error or (f"{c.unscored} unscored" if c.unscored else "")] for c in rows],
        frozenset({3, 4}))


GRADED_RULES = ("A graded test scores how well a backend's cosines track human ratings: "
                "Spearman's rho (ties averaged) and Pearson's r over the pairs with both "
                "vectors, each with a 95% interval by Fisher's z (for rho with Bonett and "
                "Wright's standard error).")


# -- controls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlRow:
    """What a contextual backend passes that a context-free control passes too."""

    backend: str
    suite: str
    passed: int
    control: str
    control_also: int  # of `passed`: needs no context
    ties: int


def controls(results: Results) -> list[ControlRow]:
    """Per contextual backend and suite: its passes, and how many of them the run's first
    context-free backend (the control) passes too."""
    control = next((n for n, rec in results.backends.items()
                    if rec.context_free and rec.status == "ok"), None)
    if control is None:
        return []
    by_control = {(r.suite, r.test, r.expectation) for r in results.rows
                  if r.backend == control and r.passed}
    out = []
    for s in results.summary_rows:
        record = results.backends[s.backend]
        if s.backend == control or record.context_free or s.status != "ok" or not s.total:
            continue
        mine = [r for r in results.rows if r.backend == s.backend and r.suite == s.suite]
        passed = [(r.suite, r.test, r.expectation) for r in mine if r.passed]
        out.append(ControlRow(s.backend, s.suite, len(passed), control,
                              sum(k in by_control for k in passed), s.ties))
    return out


CONTROL_HEADERS = ["backend", "suite", "passed", "also passed by the control",
                   "passed only with context", "ties"]


def controls_table(rows: Sequence[ControlRow]) -> Table:
    return Table(CONTROL_HEADERS, [
        [r.backend, r.suite, str(r.passed), str(r.control_also), str(r.passed - r.control_also),
         str(r.ties)] for r in rows], frozenset({2, 3, 4, 5}))


def control_note(control: str) -> str:
    return f"{control} is context-free: an expectation it passes needs no context to pass."


# -- backends and expectations ----------------------------------------------------------------


def settings(values: dict) -> str:
    """key=value, ...; a list as 1,2,3."""
    return ", ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in values.items())


def backends_table(results: Results) -> Table:
    return Table(["backend", "plugin", "options", "used", "card", "fingerprint", "status"], [
        [rec.name, rec.plugin, settings(rec.options), settings(rec.used), card_text(rec.card),
         rec.fingerprint or "", rec.status + (f": {rec.error}" if rec.error else "")]
        for rec in results.backends.values()])


EXPECTATION_HEADERS = ["backend", "suite", "test", "expectation", "sim closer", "sim farther",
                       "margin", "margin/sd", "needed", "result"]


def shown_rows(rows: Sequence[ExpectationResult],
               limit: int) -> tuple[list[ExpectationResult], str]:
    """All rows when they fit; else those that did not pass first, up to `limit`, and a note
    that says so."""
    if len(rows) <= limit:
        return list(rows), ""
    first = [r for r in rows if not r.passed] + [r for r in rows if r.passed]
    failed = sum(not r.passed for r in rows)
    shown = (f"{limit} of the {failed} that did not pass" if failed > limit else
             f"the {failed} that did not pass" if failed == limit else
             f"the {failed} that did not pass, then {limit - failed} that passed" if failed else
             f"the first {limit}, every one passed")
    return first[:limit], f"{len(rows)} rows: shown here, {shown}; all of them are in results.csv."


def expectations_table(rows: Sequence[ExpectationResult],
                       views: Mapping[tuple[str, str], TestView] | None = None) -> Table:
    """One row per backend and expectation; with `views`, each row links to its test's."""
    links = [views[(r.suite, r.test)].anchor if (r.suite, r.test) in views else ""
             for r in rows] if views is not None else []
    return Table(EXPECTATION_HEADERS, [
        [r.backend, r.suite, r.test, r.expectation, number(r.sim_closer),
         number(r.sim_farther), number(r.margin), number(r.margin_sd, 2),
         f"> {r.required_margin:g}", outcome(r) + (f" ({r.error})" if r.error else "")]
        for r in rows], frozenset({4, 5, 6, 7}), [outcome(r).split()[0].lower() for r in rows],
        links)


# -- what a test is --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextView:
    """A labelled context, its text cut around the target word ("" for a whole sentence)."""

    label: str
    before: str
    word: str
    after: str


@dataclass(frozen=True)
class TestView:
    """A test as the reports show it: where it is (`anchor`), its description and contexts."""

    anchor: str
    suite: str
    test: str
    description: str
    contexts: tuple[ContextView, ...]


def context_view(label: str, value: list) -> ContextView:
    """[text, start, end] (or [text]: a whole sentence) as a ContextView."""
    text = value[0]
    if len(value) < 3:
        return ContextView(label, text, "", "")
    start, end = value[1], value[2]
    return ContextView(label, text[:start], text[start:end], text[end:])


def test_views(results: Results, rows: Sequence[ExpectationResult]
               ) -> dict[tuple[str, str], TestView]:
    """The tests of `rows` that results.json describes (one written before `tests` describes
    none), in the order they first appear, keyed by (suite, test)."""
    out: dict[tuple[str, str], TestView] = {}
    for r in rows:
        key = (r.suite, r.test)
        entry = results.tests.get(r.suite, {}).get(r.test)
        if key in out or entry is None:
            continue
        contexts = tuple(context_view(label, value)
                         for label, value in entry.get("contexts", {}).items())
        out[key] = TestView(f"t{len(out)}", r.suite, r.test, entry.get("description", ""),
                            contexts)
    return out


RULES = ("An expectation passes when sim(anchor, closer) - sim(anchor, farther) exceeds its "
         "margin (default 0). A tie (equal similarities, as a context-free model gives two "
         "occurrences of one word) fails. An unscored expectation had no vector for one of "
         "its contexts.")


def baseline_note(results: Results, quote: Callable[[object], str] = str) -> str:
    """What margin/sd and weak mean, when the run has a baseline; `quote` writes the values
    it names (markdown_text for report.md)."""
    calibration = next((r.calibration for r in results.backends.values() if r.calibration),
                       None)
    if calibration is None:
        return ""
    reference = calibration["reference"]
    return (f"The baseline is the mean cosine (± its standard deviation) of unrelated pairs: "
            f"the backend's vectors of two different words of the reference sample "
            f"({quote(reference['name'])}, {quote(reference['size'])} items). margin/sd is a "
            f"margin in those standard deviations, so margins compare across models; a pass "
            f"below {results.weak_below:g} of them is weak (counted, still a pass).")


def gate_lines(results: Results) -> list[str]:
    """What the gates said, as recorded in the results ([] when none was asked for)."""
    return list(results.gates.lines) if results.gates else []


def selection_note(selection: dict | None) -> str:
    """'selection (-k mouse --limit 2): polysemy 2 of 4 tests', or '' for none."""
    if not selection:
        return ""
    flags = [f"-k {p!r}" for p in selection["patterns"]]
    flags += [f"--limit {selection['limit']}"] if selection["limit"] else []
    kept = ", ".join(f"{name} {n['kept']} of {n['of']} tests"
                     for name, n in selection["suites"].items())
    return f"selection ({' '.join(flags)}): {kept}"
