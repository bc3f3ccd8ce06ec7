"""wic-harness-onnx: ONNX Runtime backends for wic-harness (an example third-party plugin)."""
