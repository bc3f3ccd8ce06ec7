"""Studies built on the pipeline: accuracy per layer (`layer_sweep`), the geometry of vectors per
layer (`layer_geometry`), maps of a word's senses (`sense_maps`), WiC accuracy (`wic`), and
backends compared with statistics (`compare`)."""

__all__: list[str] = []  # internal: the public names are harness's and harness.plugin_api's
