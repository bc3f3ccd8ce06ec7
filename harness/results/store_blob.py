"""What the results store shares with its import (harness/results/store_import.py): its error,
and a run's results.json content packed (JSON, zlib-compressed) and unpacked."""

from __future__ import annotations

import json
import zlib

from harness.errors import HarnessError
from harness.results.model import Results


class StoreError(HarnessError):
    """The store cannot be opened, read or written; the message names it and the fix."""


def pack(results: Results) -> bytes:
    """results.json's content, compressed."""
    text = json.dumps(results.to_dict(), separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: bytes, where: str) -> Results:
    """The Results of a packed results.json (the plugin measures its rows need, when any)."""
    from harness.results.load import results_from_data

    return results_from_data(json.loads(zlib.decompress(blob)), where)
