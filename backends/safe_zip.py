"""A zip that may be hostile, unpacked safely: its directory read before anything is written,
a member that would land outside the folder it is unpacked into refused, the unpacked size and
each member's compression ratio bounded, and the bytes written counted (a zip's headers can
lie). What a zip must hold is its caller's business (`bert_checkpoint.zip_members`)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.plugin_api import HarnessError

# Real checkpoints are at most about 1.3 GB (BERT-large) and compress about 1.1x (vocab.txt
# about 3x).
MAX_UNZIPPED_BYTES = 5 * 1024**3  # the files unpacked from one zip, all together
ENV_MAX_UNZIPPED = "HARNESS_MAX_UNZIPPED_BYTES"
MAX_ZIP_RATIO = 50  # unpacked size / packed size of one member
ENV_MAX_ZIP_RATIO = "HARNESS_MAX_ZIP_RATIO"
RATIO_FROM_BYTES = 1024**2  # a smaller member is not held to the ratio: it can flood nothing
CHUNK_BYTES = 1024**2


class UnsafeZip(HarnessError):
    """A zip refused, or one that cannot be read; the message names it and what is wrong."""


def zip_limit(name: str, default: int) -> int:
    """A positive whole number from the environment variable `name`, else `default`."""
    given = os.environ.get(name, "").strip()
    if not given:
        return default
    if not given.isdigit() or int(given) == 0:
        raise UnsafeZip(f"{name}={given!r}: give a positive whole number")
    return int(given)


@contextmanager
def zip_errors(path: Path) -> Iterator[None]:
    """A damaged or unreadable zip as an UnsafeZip naming it."""
    import zipfile
    import zlib

    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError) as exc:
        if "CRC" in str(exc):
            raise UnsafeZip(f"{path}: {exc} (corrupt: the CRC does not match); download "
                            "the zip again") from None
        raise UnsafeZip(f"{path}: not a valid zip ({type(exc).__name__}: {exc}); an "
                        "incomplete download? Download it again, or give the extracted "
                        "folder") from None


def files_of(path: Path, archive: Any) -> list[Any]:
    """The files of an open zip (ZipInfo, folders left out), once none would be written
    outside the folder it is unpacked into."""
    import stat

    infos = [i for i in archive.infolist() if not i.is_dir()]
    for member in infos:
        name = member.filename
        if (stat.S_ISLNK(member.external_attr >> 16) or name.startswith(("/", "\\"))
                or ".." in re.split(r"[/\\]", name) or re.match(r"^[A-Za-z]:", name)):
            raise UnsafeZip(
                f"{path}: member {name!r} would be written outside the folder it is unpacked "
                "into; refusing to unpack this zip")
    return infos


def check_sizes(path: Path, members: list[Any]) -> None:
    """Refuses `members` when they would unpack to more than the limit, all together, or
    one of them more than the ratio limit times its packed size."""
    limit = zip_limit(ENV_MAX_UNZIPPED, MAX_UNZIPPED_BYTES)
    total = sum(m.file_size for m in members)
    if total > limit:
        raise UnsafeZip(
            f"{path}: its checkpoint files would unpack to {total:,} bytes, over the limit of "
            f"{limit:,} ({ENV_MAX_UNZIPPED} moves it; BERT-large is about 1.3 GB); nothing "
            "was unpacked")
    ratio = zip_limit(ENV_MAX_ZIP_RATIO, MAX_ZIP_RATIO)
    for m in members:
        if m.file_size > RATIO_FROM_BYTES and m.file_size > ratio * m.compress_size:
            raise UnsafeZip(
                f"{path}: member {m.filename} would unpack {m.compress_size:,} bytes to "
                f"{m.file_size:,}, more than {ratio}x (real checkpoint files compress about "
                f"1.1x to 3x; {ENV_MAX_ZIP_RATIO} moves the limit): a zip bomb? Nothing was "
                "unpacked")


def extract(path: Path, members: list[Any], dest: Path) -> None:
    """Unpack `members` of the zip into `dest`, counting the bytes written: a member that
    gives more than its header declares, or a total over the limit, stops it."""
    import zipfile

    budget = zip_limit(ENV_MAX_UNZIPPED, MAX_UNZIPPED_BYTES)
    try:
        with zip_errors(path), zipfile.ZipFile(path) as archive:
            for info in members:
                target = dest / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as out:
                    budget -= copy_counted(source, out, info.file_size, budget,
                                           f"{path}: member {info.filename}")
    except OSError as exc:
        raise UnsafeZip(f"{path}: cannot unpack it into {dest.parent} "
                        f"({exc.strerror or exc}); free some space there, or point "
                        "HARNESS_CACHE_DIR at another folder") from None


def copy_counted(source: Any, out: Any, declared: int, budget: int, shown: str) -> int:
    """Copy `source` to `out` in chunks; more than `declared` bytes, or than `budget`, is an
    UnsafeZip. Returns the bytes copied."""
    written = 0
    while chunk := source.read(CHUNK_BYTES):
        written += len(chunk)
        if written > declared:
            raise UnsafeZip(f"{shown} holds more than the {declared:,} bytes its header "
                            "declares; refusing this zip")
        if written > budget:
            raise UnsafeZip(f"{shown}: the unpacked files pass the limit of "
                            f"{zip_limit(ENV_MAX_UNZIPPED, MAX_UNZIPPED_BYTES):,} bytes "
                            f"({ENV_MAX_UNZIPPED} moves it)")
        out.write(chunk)
    return written
