"""The output folder of a command that writes reports (`-o DIR`): checked before the work starts
and claimed for the command's duration, so that two runs never write one folder at once.

The claim is an flock'd file, `.harness-lock`, in the folder, holding the pid of the run that
claimed it; it is removed when the claim ends (the command done, its reports written or not).
A second run on a claimed folder stops at once (exit 2). A folder that cannot be written sends
the reports to a temporary folder."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError

LOCK_NAME = ".harness-lock"


class Claimed(HarnessError):
    """Another run holds the folder."""


@dataclass(frozen=True)
class Claim:
    """Where the reports go: `asked`, or a temporary folder when `asked` cannot be written
    (`why` says why)."""

    asked: Path
    path: Path
    why: str | None = None


@contextmanager
def claim_folder(folder: Path, option: str = "-o") -> Iterator[Claim]:
    """Claim `folder` (made if missing) until the block ends; a folder made here and left
    empty is removed. Raises HarnessError if it is a file or another run holds it."""
    if folder.exists() and not folder.is_dir():
        raise HarnessError(f"{option} {folder} is a file: give a folder for the reports")
    made = _first_missing(folder)
    fd = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = _lock(folder, option)
        claim = Claim(folder, folder)
    except OSError as exc:
        claim = Claim(folder, temporary_folder(), reason(exc, folder))
    try:
        yield claim
    finally:
        if fd is not None:
            _release(folder, fd)
        if made is not None:
            _remove_empty(folder, made)


def reason(exc: OSError, folder: Path) -> str:
    """Why `folder` cannot be written, in words: "permission denied", "/x is a file"."""
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = next((p for p in (folder, *folder.parents)
                        if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} is a file"
    return (exc.strerror or str(exc)).lower()


def temporary_folder() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="harness-reports-"))


def _first_missing(folder: Path) -> Path | None:
    """The outermost folder of `folder`'s path that does not exist yet (None: it exists)."""
    missing = None
    for path in (folder, *folder.parents):
        if path.exists() or path.is_symlink():
            break
        missing = path
    return missing


def _lock(folder: Path, option: str) -> int:
    """A descriptor of the folder's lock file, flock'd, holding this pid. Raises Claimed if
    another run holds it, OSError if the folder cannot be written."""
    try:
        import fcntl
    except ImportError:  # no flock here: the folder is not claimed
        return os.open(os.devnull, os.O_RDONLY)
    path = folder / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _pid_in(fd)
            os.close(fd)
            run = f"another harness run (pid {pid})" if pid else "another harness run"
            raise Claimed(f"{option} {folder}: {run} is writing its reports there; wait for it "
                          "to end or give another folder") from None
        except OSError:  # a file system without locks: go on unclaimed
            return fd
        if _same_file(fd, path):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # the run before removed it as this one opened it: again


def _pid_in(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _release(folder: Path, fd: int) -> None:
    try:
        if _same_file(fd, folder / LOCK_NAME):
            (folder / LOCK_NAME).unlink()
    except OSError:
        pass
    os.close(fd)


def _remove_empty(folder: Path, made: Path) -> None:
    """Remove `folder` and its parents up to `made` while they are empty (nothing written)."""
    for path in (folder, *folder.parents):
        try:
            path.rmdir()
        except OSError:
            return
        if path == made:
            return
