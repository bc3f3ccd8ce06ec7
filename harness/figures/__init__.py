"""Every picture the harness draws, from plain numbers and names: inline SVG for the HTML pages
(`svg`, no plotting library) and PNG files with matplotlib (`plots`, imported on first use)."""

__all__: list[str] = []  # internal: the public names are harness's and harness.plugin_api's
