"""Helpers for testing the harness and its plugins. Nothing here is registered by default."""

from harness.testing.fake import FakeBackend, FakePlugin

__all__ = ["FakeBackend", "FakePlugin"]
