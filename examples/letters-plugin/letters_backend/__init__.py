"""letters-backend: the plugin of wic-harness's plugin guide (docs/writing-a-backend-plugin.md),
as an installable package."""
