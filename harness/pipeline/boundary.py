"""The boundary around every call into a backend: whatever a plugin raises fails that backend
only. An ordinary exception passes as it is (the runner records it); one that is not an
Exception (SystemExit from a plugin's sys.exit, GeneratorExit) would end the whole run, so it
becomes a BackendFailure. KeyboardInterrupt (Ctrl-C, SIGTERM) passes: it stops the run, which
keeps what finished."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from harness.errors import BackendFailure


@contextmanager
def calling(backend_name: str) -> Iterator[None]:
    """Around a call into a backend."""
    try:
        yield
    except (Exception, KeyboardInterrupt):
        raise
    except BaseException as exc:
        raise BackendFailure(f"backend {backend_name} raised {type(exc).__name__}({exc}); a "
                             "backend must raise an exception, never end the process") from None
