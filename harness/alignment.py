"""Deprecated: import `TokenizerSpec` from `harness.plugin_api`. This alias of the module's
old path goes in the next release."""

import warnings

from harness.backend.alignment import Plan, TokenizerSpec, make_plan, target_tokens

warnings.warn("harness.alignment is deprecated and goes in the next release: import "
              "TokenizerSpec from harness.plugin_api",
              DeprecationWarning, stacklevel=2)

__all__ = ["Plan", "TokenizerSpec", "make_plan", "target_tokens"]
