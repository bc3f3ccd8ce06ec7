"""The built-in backends of wic-harness, installed as the package `harness_backends`.

Each module is a plugin named by an entry point in the `wic_harness` group, exactly as a
third-party package would register one. They import their heavy libraries on first use.
"""
