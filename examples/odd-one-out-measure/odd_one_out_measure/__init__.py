"""An "odd one out" kind of test for wic-harness, added through `harness_register_measures`."""
