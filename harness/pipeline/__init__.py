"""A run, stage by stage: the runner (`runner`) hands every caller's contexts to one preparation
step (`prepare`: availability, fingerprints, the executor, calibration and post-processing),
which embeds through an executor (`executors`) and the one owner of embedding (`embedding`,
`embedding_cache`, across the `boundary` into a backend); then scoring (`scoring`), the
`results`, and the CI `gates`. `calibration`, `reference` and `numerics` are what the
reference sample says about a backend; `stats` the closed-form statistics."""

__all__: list[str] = []  # internal: the public names are harness's and harness.plugin_api's
