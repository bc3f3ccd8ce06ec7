"""Content digests of files and folders, for fingerprints and cache keys."""

from __future__ import annotations

import hashlib
from pathlib import Path


def path_digest(path: str | Path) -> str:
    """sha256 of a file, or of every file under a folder (names and contents; hidden files
    and .md files, which change no vector, are left out)."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_file():
        files, root = [path], path.parent
    else:
        root = path
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and not p.name.startswith(".") and p.suffix != ".md")
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
