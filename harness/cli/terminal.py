"""What the CLI prints, and how: every write to stdout or stderr shows control characters
escaped (a suite, a backend or a results.json cannot recolour the terminal or plant a link),
never fails on a character the encoding lacks, and never raises when the stream fails (a closed
pipe, a full disk): the writing stops, the failure is remembered, and `main` says on stderr
that stdout was lost, with the verdict. So printing never changes the exit code. With -q or
--json, stdout is quiet: what is printed is dropped, and only `write_data` (the JSON asked
for) reaches it."""

from __future__ import annotations

import errno
import os
import re
import sys
from contextlib import contextmanager

from harness.reports.text import escaped_char

# C0 but newline and tab, DEL, C1 (CSI, OSC, NEL...), and the marks that reorder text (bidi)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069]")
VERDICTS = {0: "done, every gate held", 1: "gates FAILED", 2: "bad input or usage",
            130: "interrupted", 143: "terminated"}


def terminal_text(text: str) -> str:
    """`text` with every control character shown escaped (ESC as \\x1b), newlines and tabs
    kept."""
    return _CONTROL.sub(lambda match: escaped_char(match.group()), text)


class _GuardedStream:
    """Stands in for sys.stdout or sys.stderr: writes escaped text (`escape`), and a write or
    flush that fails marks the stream failed (`failure`) and stops it for good."""

    def __init__(self, stream, escape: bool = True, owner: _GuardedStream | None = None):
        self.stream, self.escape, self.owner = stream, escape, owner
        self.quiet = False  # drop what is written; `write_data` still writes
        self._failure: OSError | None = None
        if stream is None:  # started with the descriptor closed
            self._failure = OSError(errno.EBADF, "it is closed")

    @property
    def failure(self) -> OSError | None:
        return self.owner.failure if self.owner else self._failure

    def write(self, text: str) -> int:
        if not self.quiet:
            self.write_data(text)
        return len(text)

    def write_data(self, text: str) -> None:
        """Write `text`, quiet or not (escaped and guarded as ever)."""
        if self.failure is None:
            self._guarded(self._write, terminal_text(text) if self.escape else text)

    def flush(self) -> None:
        if self.failure is None:
            self._guarded(self.stream.flush)

    def unescaped(self) -> _GuardedStream:
        """The same stream, guarded but not escaped (the progress bar's \\r), failing with it."""
        return _GuardedStream(self.stream, escape=False, owner=self.owner or self)

    def __getattr__(self, name: str):  # isatty, fileno, encoding, ...
        return getattr(self.stream, name)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
        except UnicodeEncodeError:  # an ASCII stdout (LC_ALL=C, PYTHONIOENCODING=ascii)
            encoding = getattr(self.stream, "encoding", None) or "ascii"
            self.stream.write(text.encode(encoding, "backslashreplace").decode(encoding))

    def _guarded(self, call, *args) -> None:
        try:
            call(*args)
        except (OSError, ValueError) as exc:  # EPIPE, ENOSPC, EIO; ValueError: closed
            target = self.owner or self
            target._failure = exc if isinstance(exc, OSError) else OSError(errno.EBADF, str(exc))
            _silence(self.stream)


def _silence(stream) -> None:
    """Point the stream's descriptor at /dev/null and drop what its buffer holds, so that no
    later flush (the interpreter's own, at exit, which would make the exit code 120) fails."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


def why(exc: OSError) -> str:
    """A failed stream's reason in words: "Broken pipe", "No space left on device"."""
    return exc.strerror or str(exc) or type(exc).__name__


@contextmanager
def guarded_output():
    """sys.stdout and sys.stderr guarded and escaped while the block runs; yields a function
    that, given the exit code, flushes stdout and, if it failed, says so on stderr with the
    verdict. Restores both streams after."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _GuardedStream(sys.stdout), _GuardedStream(sys.stderr)
    try:
        yield finish
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved


def finish(code: int) -> None:
    """Flush stdout (inside the guard); if stdout failed, say so on stderr with the verdict."""
    sys.stdout.flush()
    failure = getattr(sys.stdout, "failure", None)
    if failure is not None:
        verdict = VERDICTS.get(code, "failed")
        sys.stderr.write(f"harness: stdout could not be written ({why(failure)}); "
                         f"{verdict} (exit {code})\n")
    sys.stderr.flush()


def quiet_stdout() -> None:
    """From now on stdout drops what is printed (-q, --json); `write_data` still reaches it."""
    if isinstance(sys.stdout, _GuardedStream):
        sys.stdout.quiet = True


def write_data(text: str) -> None:
    """`text` on stdout even when it is quiet: what --json asks for."""
    stream = sys.stdout
    if isinstance(stream, _GuardedStream):
        stream.write_data(text)
    else:
        stream.write(text)


def progress_stream():
    """Where a progress bar draws: stderr, guarded but not escaped (it moves the cursor)."""
    stream = sys.stderr
    return stream.unescaped() if isinstance(stream, _GuardedStream) else stream
