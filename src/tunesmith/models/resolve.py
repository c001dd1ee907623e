"""Turn a model reference (alias, local folder or hub id) into something `from_pretrained` loads."""

from __future__ import annotations

import importlib.util
import os
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
        return _hub_model(ref, progress)
    raise InputError(
        f"model '{ref}'",
        f"not an alias ({', '.join(ALIASES)}), a local model folder, or a hub id like 'org/name'",
    )


def _hub_model(ref: str, progress: Progress) -> str:
    """A hub id to download, or its cached copy when the hub cannot be reached; an InputError at once when neither,
    instead of huggingface_hub's minute of retries."""
    problem = hub_problem()
    if problem is None:
        return ref
    cached = _cached_snapshot(ref)
    if cached is not None:
        progress.note(f"The Hugging Face hub is unreachable ({problem}); using the cached copy of {ref}")
        return cached
    raise InputError(
        f"model '{ref}'",
        f"the Hugging Face hub could not be reached ({problem}) and the model is not in the local cache; use a "
        f"local model folder or an alias ({', '.join(ALIASES)}), or download it once with network access",
    )


def hub_problem(timeout: float = 5.0) -> str | None:
    """Why the hub (`HF_ENDPOINT`, as huggingface_hub reads it) cannot be reached now, or None when it can:
    one request, so an offline machine fails in seconds."""
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    if constants.HF_HUB_OFFLINE:
        return "HF_HUB_OFFLINE is set"
    endpoint = os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    try:
        get_session().head(endpoint, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same thing here
        return f"{endpoint}: {exc or type(exc).__name__}"
    return None


def _cached_snapshot(ref: str) -> str | None:
    """The folder of `ref`'s cached download, if huggingface_hub has one."""
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(ref, local_files_only=True)
    except Exception:  # noqa: BLE001 - not cached (or a partial cache): there is nothing to load
        return None


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
