"""Deprecated: import `path_digest` from `harness.plugin_api`. This alias of the module's old
path goes in the next release."""

import warnings

from harness.backend.digests import path_digest

warnings.warn("harness.digests is deprecated and goes in the next release: import "
              "path_digest from harness.plugin_api",
              DeprecationWarning, stacklevel=2)

__all__ = ["path_digest"]
