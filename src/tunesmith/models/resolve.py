"""Turn a model reference (alias, local folder or hub id) into something `from_pretrained` loads."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.errors import InputError
from tunesmith.home import tunesmith_home
from tunesmith.models.aliases import ALIASES, PackagedGGUF
from tunesmith.progress import SILENT, Progress

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_model(ref: str, progress: Progress = SILENT) -> str:
    """Return a local folder or hub id for `ref`; an alias is converted from its packaged GGUF on first use."""
    if ref in ALIASES:
        return str(converted_alias(ref, ALIASES[ref], progress))
    path = Path(ref).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise InputError(f"model '{ref}'", "folder has no config.json; expected a transformers model folder")
        return str(path)
    if path.exists() or ref.startswith((".", "/", "~")):
        raise InputError(f"model '{ref}'", "no such model folder")
    if HUB_ID.match(ref):
        return ref
    raise InputError(
        f"model '{ref}'",
        f"not an alias ({', '.join(ALIASES)}), a local model folder, or a hub id like 'org/name'",
    )


def converted_alias(alias: str, spec: PackagedGGUF, progress: Progress = SILENT) -> Path:
    """The safetensors folder for `alias`, converting the packaged GGUF to it once (atomically)."""
    target = tunesmith_home() / "models" / alias
    if (target / "config.json").is_file():
        return target
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        raise InputError(f"model '{alias}'", f"needs the package '{spec.package}'; install it: {spec.pip_hint}")
    gguf_dir = Path(list(found.submodule_search_locations)[0])
    if not (gguf_dir / spec.filename).is_file():
        raise InputError(f"model '{alias}'", f"{gguf_dir / spec.filename} is missing; reinstall: {spec.pip_hint}")
    progress.note(f"Converting {spec.filename} to safetensors in {target} (once; later loads take seconds)")
    _convert_gguf(gguf_dir, spec.filename, target)
    return target


def _convert_gguf(folder: Path, filename: str, target: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=filename)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=filename, dtype=torch.float32)
    # The GGUF weights are de-quantized to plain floats on load, but transformers still marks the model as
    # quantized and refuses to save it; clearing the marks saves an ordinary float model.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = ""
    with atomic_dir(target) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
