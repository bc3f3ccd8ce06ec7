"""The `odd_one_out` kind of test: of a test's contexts (three or more), the one named is
expected to be the least similar to the others. A backend passes when that context has the
lowest mean cosine to the other contexts; `gap` is how far it lies below the next lowest (above
0: the right one, by that much).

    - id: bank-river
      contexts:
        money: {text: "She paid the bank a visit to open an account.", word: bank}
        loan: {text: "The bank refused the loan.", word: bank}
        river: {text: "We sat on the bank of the river.", word: bank}
      odd_one_out: river

It imports `harness.plugin_api` alone, as any plugin should."""

from __future__ import annotations

from dataclasses import dataclass

from harness.plugin_api import Measure, did_you_mean, hookimpl, key_line


@dataclass(frozen=True)
class OddOneOutRow:
    """One test for one backend: the context expected to be the odd one, the one the backend
    makes it, and the gap (None, with `error`, when a context has no vector)."""

    backend: str
    suite: str
    test: str
    expected: str
    found: str | None
    gap: float | None
    passed: bool
    error: str | None = None


class OddOneOut(Measure):
    kind = "odd_one_out"
    keys = ("odd_one_out",)
    title = "Odd one out"
    rules = ("An odd-one-out test passes when the context it names has the lowest mean cosine "
             "to the test's other contexts; the gap is how far below the next lowest it is.")
    row_type = OddOneOutRow
    columns = ("expected", "found", "gap", "result")

    def parse(self, checker, data, where, line, contexts, declared):
        value, at = data.get("odd_one_out"), key_line(data, "odd_one_out", line)
        if len(declared) < 3:
            checker.problem(at, where, "an odd_one_out test needs at least three contexts")
            return None
        if not isinstance(value, str) or value not in declared:
            checker.problem(at, f"{where}, field 'odd_one_out'",
                            f"{value!r} is not a label of the test's contexts"
                            f"{did_you_mean(str(value), declared)}; labels: "
                            f"{', '.join(sorted(declared))}")
            return None
        return value

    def score(self, backend, suite, test, vectors):
        labels = list(test.contexts)
        gone = [f"{label}: {why}" for label in labels
                if (why := vectors.why_missing(test.contexts[label].item))]
        if gone:
            return [OddOneOutRow(backend, suite.name, test.id, test.data, None, None, False,
                                 "; ".join(gone))]
        mean = {label: sum(vectors.cosine(test.contexts[label].item, test.contexts[other].item)
                           or 0.0 for other in labels if other != label) / (len(labels) - 1)
                for label in labels}
        found = min(labels, key=mean.get)
        runner_up = min(mean[label] for label in labels if label != test.data)
        gap = runner_up - mean[test.data]
        return [OddOneOutRow(backend, suite.name, test.id, test.data, found, gap,
                             found == test.data and gap > 0)]

    def cells(self, row):
        result = "unscored" if row.error else "pass" if row.passed else "FAIL"
        return [row.expected, row.found or "-", "" if row.gap is None else f"{row.gap:.4f}",
                result + (f" ({row.error})" if row.error else "")]


@hookimpl
def harness_register_measures(register):
    register.add_measure(OddOneOut())
