"""The GGUF files the llama.cpp backend serves: the base and each PEFT LoRA converted once, then reused.

Conversions go through the exporter's converters (llama.cpp's own scripts) into $TUNESMITH_HOME/gguf, one folder
per source, named by a fingerprint of the source's files (name, size, modification time), the quant and the
llama-cpp-python version: a retrained adapter or a new llama.cpp converts again, an unchanged one loads at once.
Each folder is written atomically, so a crash mid-conversion leaves nothing that looks finished.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.errors import InputError
from tunesmith.home import tunesmith_home
from tunesmith.progress import SILENT, Progress

MODEL_FILE = "model.gguf"
LORA_FILE = "lora-f16.gguf"  # the converter reads the type off the name's last part


def base_gguf(base: str | Path, quant: str = "f16", progress: Progress = SILENT) -> Path:
    """The base model folder (or hub id) as one GGUF of `quant`, converted on first use."""
    from tunesmith.export.gguf import write_model
    from tunesmith.export.llama_cpp import check_quant, converters

    quant = check_quant(quant)
    folder = local_folder(base)
    target = _cache_dir("model", folder, quant)
    if not (target / MODEL_FILE).is_file():
        progress.note(f"Converting {folder.name} to GGUF {quant} for llama.cpp (once; cached in {target.parent})")
        with atomic_dir(target) as tmp:
            work = tmp / ".work"
            work.mkdir()
            write_model(converters(progress=progress), folder, tmp / MODEL_FILE, quant, work, progress)
            work.rmdir()
    return target / MODEL_FILE


def lora_gguf(adapter: Path, base: str | Path, progress: Progress = SILENT) -> Path:
    """The PEFT LoRA folder `adapter` as a GGUF LoRA for `base`, converted on first use.

    Only plain LoRA fits llama.cpp's `W + alpha / r * B A` over the unchanged base: other methods are refused,
    naming what they train, with the transformers backend as the way to serve them.
    """
    from peft import PeftConfig

    from tunesmith.export.gguf import write_lora
    from tunesmith.export.gguf_lora import not_plain_lora
    from tunesmith.export.llama_cpp import converters

    why = not_plain_lora(PeftConfig.from_pretrained(str(adapter)))
    if why:
        message = f"this adapter {why}, which llama.cpp cannot apply; serve it with --backend transformers"
        raise InputError(str(adapter), message)
    base_folder = local_folder(base)
    target = _cache_dir("lora", adapter, json.dumps(_fingerprint(base_folder)))
    if not (target / LORA_FILE).is_file():
        progress.note(f"Converting the adapter {adapter} to a GGUF LoRA (once)")
        with atomic_dir(target) as tmp:
            write_lora(converters(progress=progress), adapter, base_folder, tmp / LORA_FILE, progress)
    return target / LORA_FILE


def local_folder(model: str | Path) -> Path:
    """The folder of a model: a local path as is, a hub id through the hub cache (downloaded if need be)."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(str(model)))
    except Exception as exc:  # offline, unknown id, gated repository: the hub's own message says which
        raise InputError(str(model), f"not a local folder, and the hub did not provide it ({exc})") from None


def _cache_dir(kind: str, source: Path, setting: str) -> Path:
    from tunesmith.export.llama_cpp import installed_version

    key = json.dumps([kind, str(source.resolve()), _fingerprint(source), setting, installed_version()])
    return tunesmith_home() / "gguf" / f"{source.name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _fingerprint(folder: Path) -> list:
    """Name, size and modification time of every file in `folder`: what changes when the model does."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.parts)
    return [[str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
