"""Models and vectors that ship inside PyPI packages: where their files are, and what
identifies them (the distribution's version and the digests in its RECORD), found without
importing the package."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


def installed_versions(*names: str) -> dict[str, str]:
    """Versions of those distributions that are installed (for reports and cache keys)."""
    return {name: version for name in names if (version := installed_version(name))}


@cache
def installed_version(name: str) -> str | None:
    """The installed version of a distribution, read once per process (reading it parses the
    distribution's metadata, a few milliseconds each time)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class PackagedData:
    """A folder of data inside an installed package."""

    dist: str  # distribution name on PyPI
    module: str  # its import name
    folder: str  # the data folder inside the module

    def path(self) -> Path | None:
        """The folder, or None when the package is not installed."""
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations))) / self.folder

    def version(self) -> str | None:
        return installed_version(self.dist)

    @cache  # noqa: B019 - a handful of these, alive for the process anyway
    def identity(self, suffixes: tuple[str, ...] | None = None) -> str:
        """`dist==version` and the RECORD digests of the files in its data folder (those
        ending in `suffixes`, if given); read once per process."""
        try:
            dist = importlib.metadata.distribution(self.dist)
        except importlib.metadata.PackageNotFoundError:
            return f"{self.dist} (not installed)"
        inside = f"{self.module}/{self.folder}/"
        digests = sorted(
            f"{f.as_posix().removeprefix(inside)}={f.hash.value}" for f in dist.files or []
            if f.hash is not None and f.as_posix().startswith(inside)
            and (suffixes is None or f.name.endswith(suffixes))
        )
        return f"{self.dist}=={dist.version} " + ",".join(digests)
