"""onnxruntime-genai's model builder, run as its documented command, `python -m onnxruntime_genai.models.builder`.

A separate process because the builder prints as it works and puts its own folder on `sys.path` (its modules import
as top-level `builders` and `quantization`); this module is the one place tunesmith depends on its command line.
It writes `model.onnx` (+ `model.onnx.data`), `genai_config.json` and the tokenizer with its chat template.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import deque
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress

BUILDER = "onnxruntime_genai.models.builder"
# fp32: the weights as they are; int8/int4: weight-only block quantization (MatMulNBits, blocks of 32), which the
# builder runs on CPU with int8 activations (its accuracy_level 4, the CPU default).
PRECISIONS = ("fp32", "int8", "int4")
# import name -> distribution: what building and verifying an ONNX export needs (onnx-ir is used by the builder
# but not declared by onnxruntime-genai, so it is checked here too).
REQUIRED = {
    "onnxruntime": "onnxruntime",
    "onnxruntime_genai": "onnxruntime-genai",
    "onnx": "onnx",
    "onnx_ir": "onnx-ir",
}
LOG_LINES_KEPT = 12
LAYER_LINE = re.compile(r"^Reading layer (\d+)")


def check_precision(precision: str) -> str:
    """The precision in lower case, or an InputError listing the known ones."""
    if precision.lower() not in PRECISIONS:
        raise InputError("--precision", f"unknown precision '{precision}'; known: {', '.join(PRECISIONS)}")
    return precision.lower()


def check_installed(purpose: str = "exporting to ONNX") -> None:
    """An InputError naming the missing packages and the extra that installs them, before anything is written."""
    missing = [dist for module, dist in REQUIRED.items() if find_spec(module) is None]
    if missing:
        raise InputError("tunesmith[onnx]", f"{purpose} needs {', '.join(missing)}: pip install 'tunesmith[onnx]'")


def builder_version() -> str:
    return metadata.version("onnxruntime-genai")


def build(model_dir: Path, out: Path, precision: str, cache: Path, layers: int, progress: Progress = SILENT) -> Path:
    """Export the transformers folder `model_dir` for onnxruntime's CPU provider into `out`; the path of model.onnx.

    `layers` is the model's layer count, for progress (the builder reads one layer at a time). A failure is an
    InputError with the end of the builder's log (e.g. an architecture it does not support).
    """
    command = [sys.executable, "-m", BUILDER, "-i", str(model_dir), "-o", str(out), "-p", precision, "-e", "cpu"]
    command += ["-c", str(cache), "--extra_options", "hf_token=false"]  # a local folder: never ask the hub
    task = f"Exporting to ONNX {precision} (onnxruntime-genai {builder_version()})"
    progress.start(task, layers)
    log: deque[str] = deque(maxlen=LOG_LINES_KEPT)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as done:
        for line in done.stdout:  # universal newlines: tqdm's carriage returns end lines too
            if line.strip():
                log.append(line.rstrip())
            if found := LAYER_LINE.match(line):
                progress.update(task, int(found.group(1)) + 1)
    progress.finish(task)
    model = out / "model.onnx"
    if done.returncode != 0 or not model.is_file():
        last = log[-1] if log else f"exit status {done.returncode}"
        tail = "\n".join(log)
        raise InputError(str(model_dir), f"onnxruntime-genai's model builder could not export it: {last}\n{tail}")
    return model
