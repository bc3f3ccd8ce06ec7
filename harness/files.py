"""Where and how the harness writes files: atomically (a reader sees the old file or the new one,
never half of one), and in its cache folder ($HARNESS_CACHE_DIR, else
$XDG_CACHE_HOME/wic-harness, else ~/.cache/wic-harness), where converted checkpoints, the
embedding cache and compiled templates live."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write `text` (or bytes) to `path` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as handle:
                handle.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; reports are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- the cache folder -----------------------------------------------------------------------------

ENV_CACHE_DIR = "HARNESS_CACHE_DIR"
log = logging.getLogger("harness.cache")


def cache_dir() -> Path:
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "wic-harness"


# a build's temporary folder this old was left by a killed process: no build takes a day
STALE_BUILD_S = 24 * 3600


def build_once(target: Path, build: Callable[[Path], None]) -> Path:
    """`target`, made by `build(tmp_folder)` if it does not exist yet. The folder appears
    whole or not at all: a failed or interrupted build leaves nothing (its temporary folder
    and the folders made to hold it are removed; a killed one leaves its temporary folder,
    which the next build of the same target removes once it is a day old), and when two
    processes build at once the first to finish wins and the other's work is dropped. When
    the cache folder cannot be written, it is built in a temporary folder instead (used for
    this process only, removed at exit), with a warning."""
    if target.is_dir():
        return target
    made = _missing_folders(target.parent)
    prefix = f".{target.name[:100]}."
    _remove_stale(target.parent, prefix)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    except OSError as exc:
        _remove_empty(made)
        return _build_elsewhere(target, build, exc)
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes folders private; the cache is the user's
    built = False
    try:
        build(tmp)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():
                raise
        built = True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if not built:
            _remove_empty(made)
    return target


def _remove_stale(folder: Path, prefix: str) -> None:
    now = time.time()
    try:
        entries = list(folder.iterdir())
    except OSError as exc:  # not there yet, or not listable: nothing to tidy
        log.debug("cannot list %s for stale builds: %s", folder, exc)
        return
    for entry in entries:
        try:
            stale = (entry.name.startswith(prefix) and len(entry.name) == len(prefix) + 8
                     and "." not in entry.name[len(prefix):] and entry.is_dir()  # mkdtemp's
                     and now - entry.stat().st_mtime > STALE_BUILD_S)
        except OSError:  # gone meanwhile
            continue
        if stale:
            log.info("removing %s, left by a build that was killed", entry)
            shutil.rmtree(entry, ignore_errors=True)


def _build_elsewhere(target: Path, build: Callable[[Path], None], why: OSError) -> Path:
    elsewhere = Path(tempfile.mkdtemp(prefix=f"harness-{target.name[:100]}-"))
    log.warning("cache folder %s cannot be written (%s); building %s in %s for this "
                "process only. Fix: point %s at a folder you can write", target.parent, why,
                target.name, elsewhere, ENV_CACHE_DIR)
    try:
        build(elsewhere)
    except BaseException:
        shutil.rmtree(elsewhere, ignore_errors=True)
        raise
    atexit.register(shutil.rmtree, elsewhere, ignore_errors=True)
    return elsewhere


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and those above it that do not exist yet, the deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove these folders (the deepest first) where they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (another process uses it), or gone
