"""Export trained runs where people run models: merged safetensors, combined adapters, GGUF (llama.cpp, Ollama)
and ONNX (onnxruntime), each verified in its own runtime before it is reported done."""
