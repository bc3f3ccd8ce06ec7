"""Deprecated: import `PackagedData`, `installed_versions` and `installed_version` from
`harness.plugin_api`. This alias of the module's old path goes in the next release."""

import warnings

from harness.backend.packaged import PackagedData, installed_version, installed_versions

warnings.warn("harness.packaged is deprecated and goes in the next release: import "
              "PackagedData, installed_versions and installed_version from harness.plugin_api",
              DeprecationWarning, stacklevel=2)

__all__ = ["PackagedData", "installed_version", "installed_versions"]
