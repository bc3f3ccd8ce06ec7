"""The built-in kinds of test, registered through `harness_register_measures` as a plugin's
are (every plugin host registers this module first): orderings (schemas 1 and 2, `expect`) and
graded pairs (schema 3, `pairs` and `scale`), and word-sense disambiguation (schema 4, `wsd`:
harness/measures/wsd.py, on the generic path, its rows under results.json's `measures`). The
first two keep the places results.json has always given them (`results`; `correlations` and
`pair_results`), and the reports lay them out as before;
a plugin's kind goes through the generic path (harness/measures/base.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.plugins import hookimpl

if TYPE_CHECKING:
    from harness.plugins.measures import MeasureRegistration

BUILTIN_KINDS = ("orderings", "graded")


@hookimpl
def harness_register_measures(register: MeasureRegistration) -> None:
    from harness.measures.graded import GradedMeasure
    from harness.measures.orderings import OrderingsMeasure
    from harness.measures.wsd import WSD

    register.add_measure(OrderingsMeasure())
    register.add_measure(GradedMeasure())
    register.add_measure(WSD)
