"""similarities.parquet: each test's cosine similarity matrix, for runs too large to hold the
matrices in results.json (more than INLINE_CELLS numbers). One row per pair of contexts:
backend, suite, test, a, b (context labels), cosine (null: a context without a vector).
Written with pyarrow (installed with the `static` extra); without it, the matrices stay in
results.json."""

from __future__ import annotations

import importlib.util
import io

from harness.results.model import Results

FILE = "similarities.parquet"
INLINE_CELLS = 200_000  # about 20,000 tests of three contexts


def in_side_file(results: Results) -> bool:
    """Whether this run's matrices go to the side file rather than into results.json."""
    return (results.similarity_cells() > INLINE_CELLS
            and importlib.util.find_spec("pyarrow") is not None)


def render(results: Results) -> bytes | None:
    """The parquet file, or None when the matrices stay in results.json."""
    if not in_side_file(results):
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [(backend, suite, test, data["labels"][i], data["labels"][j], value)
            for backend, suites in results.similarities.items()
            for suite, by_test in suites.items() for test, data in by_test.items()
            for i, row in enumerate(data["matrix"]) for j, value in enumerate(row)]
    names = ("backend", "suite", "test", "a", "b")
    columns = list(zip(*rows)) if rows else [()] * 6
    table = pa.table({**{name: pa.array(column, pa.string()).dictionary_encode()
                         for name, column in zip(names, columns)},
                      "cosine": pa.array(columns[5], pa.float64())})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()
