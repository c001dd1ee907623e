"""Export trained runs: merged safetensors models (GGUF and ONNX to come)."""
