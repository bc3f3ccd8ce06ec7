"""The runner: contexts embedded once, failures isolated, finished work kept, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backend import Embeddings, Item
from harness.errors import HarnessError
from harness.pipeline.embedding import embed_items
from harness.pipeline.runner import run_suites, unique_items
from harness.suites.validate import load_suite
from harness.testing import FakeBackend
from tests.helpers import POLYSEMY, QUARTET


def test_each_unique_context_is_embedded_once_across_tests_and_suites(write_suite):
    polysemy = load_suite(POLYSEMY)
    toy = load_suite(write_suite(QUARTET.replace("suite: toy", "suite: toy2")))
    backend = FakeBackend("fake", {"batch_size": 3})
    run_suites([polysemy, toy], [backend], reference=False)  # only the suites' contexts
    embedded = [item for call in backend.calls for item in call]
    assert len(embedded) == len(set(embedded)) == len(unique_items([polysemy, toy]))
    # mouse1 of the toy suite is the same (text, span) as polysemy's: shared
    assert len(unique_items([polysemy, toy])) == 8 + 2
    assert max(len(call) for call in backend.calls) == 3


def test_vectors_do_not_depend_on_order_or_batching():
    items = [Item("a b c", (0, 1)), Item("longer text here", None), Item("x", (0, 1))]
    one = embed_items(FakeBackend("f", {"batch_size": 1}), items).vectors
    many = embed_items(FakeBackend("f", {"batch_size": 64}), items[::-1]).vectors
    np.testing.assert_array_equal(one, many[::-1])


def test_a_failing_backend_keeps_the_others_results():
    suite = load_suite(POLYSEMY)
    good, bad = FakeBackend("good"), FakeBackend("bad", {"fail": "true"})
    results = run_suites([suite], [bad, good])
    assert results.backends["bad"].status == "error"
    assert "RuntimeError: the fake backend was told to fail" in results.backends["bad"].error
    assert results.backends["good"].status == "ok"
    assert {r.backend for r in results.rows} == {"good"}
    by_backend = {s.backend: s for s in results.summary_rows}
    assert by_backend["bad"].status == "error" and by_backend["bad"].accuracy is None
    assert by_backend["good"].total == 8


def test_an_unavailable_backend_is_reported_with_the_fix():
    results = run_suites([load_suite(POLYSEMY)], [FakeBackend("off", {"available": "no"})])
    record = results.backends["off"]
    assert record.status == "unavailable"
    assert "told to be unavailable" in record.error and "Fix: drop available=false" in record.error
    assert results.summary_rows[0].status == "unavailable"


def test_interrupt_keeps_finished_backends():
    class Interrupting(FakeBackend):
        def embed_batch(self, items):
            raise KeyboardInterrupt

    suite = load_suite(POLYSEMY)
    results = run_suites([suite], [FakeBackend("first"), Interrupting("second"),
                                   FakeBackend("third")])
    assert results.interrupted
    assert results.backends["first"].status == "ok"
    assert results.backends["second"].status == "interrupted"
    assert results.backends["third"].status == "interrupted"
    assert {r.backend for r in results.rows} == {"first"}


def test_same_run_twice_gives_the_same_results_apart_from_timestamps():
    suite = load_suite(POLYSEMY)
    first = run_suites([suite], [FakeBackend("fake")]).to_dict()
    second = run_suites([suite], [FakeBackend("fake")]).to_dict()
    first.pop("created"), second.pop("created")
    assert first == second


def test_suite_names_must_be_unique():
    suite = load_suite(POLYSEMY)
    with pytest.raises(HarnessError, match="share the name 'polysemy'"):
        run_suites([suite, suite], [FakeBackend("fake")])


def test_wrong_shape_from_a_backend_is_an_error():
    class Broken(FakeBackend):
        def embed_batch(self, items):
            return Embeddings(np.zeros((len(items) + 1, 4), dtype=np.float32))

    results = run_suites([load_suite(POLYSEMY)], [Broken("broken")])
    assert results.backends["broken"].status == "error"
    assert "expected (n, dim)" in results.backends["broken"].error


def test_take_keeps_the_reason_of_a_row_taken_twice():
    import numpy as np

    from harness.backend import Embeddings
    from harness.pipeline.embedding import take

    embedded = Embeddings(np.array([[np.nan], [1.0]]), {0: "no vector"})
    taken = take(embedded, [0, 1, 0])
    assert taken.reasons == {0: "no vector", 2: "no vector"}


def test_prepare_gives_each_item_its_own_row_when_items_repeat():
    """Repeated items, with the reference sample riding along for a post-processing: as many
    new sample items as repeats must not be mistaken for the items' own rows."""
    import numpy as np

    from harness.pipeline.calibration import reference
    from harness.pipeline.prepare import prepare_one

    sample = list(reference()[0])
    items = sample[:-5] + [sample[0]] * 5  # as long as the items and the sample together
    prepared = prepare_one(FakeBackend("f", {"postprocess": "center"}), items)
    vectors = prepared.embedded.vectors
    assert vectors.shape[0] == len(items)
    for row in range(len(items) - 5, len(items)):
        np.testing.assert_array_equal(vectors[row], vectors[0])
