"""Load tokenizers and models for training and inference, from any model reference or run directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.models.resolve import resolve_model
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import is_run_dir, open_run


@dataclass(frozen=True)
class ModelSource:
    """What to load: a base model (folder or hub id) and, for a PEFT run, the adapter folder on top."""

    base: str
    adapter: Path | None = None
    label: str = ""


def source_for(ref: str | Path, progress: Progress = SILENT) -> ModelSource:
    """Resolve an alias, folder, hub id, run directory or PEFT adapter folder into a ModelSource."""
    ref = str(ref)
    if is_run_dir(ref):
        from tunesmith.config import load_run_recipe

        run = open_run(ref)
        if run.is_adapter():
            base = resolve_model(load_run_recipe(run.recipe).model, progress)
            return ModelSource(base=base, adapter=run.final, label=ref)
        return ModelSource(base=str(run.final), label=ref)
    adapter_config = Path(ref) / "adapter_config.json"
    if adapter_config.is_file():  # a PEFT adapter folder on its own: its base model is named in its config
        base = json.loads(adapter_config.read_text(encoding="utf-8")).get("base_model_name_or_path")
        if not base:
            raise InputError(str(adapter_config), "has no base_model_name_or_path; expected the adapter's base model")
        return ModelSource(base=resolve_model(base, progress), adapter=Path(ref), label=ref)
    return ModelSource(base=resolve_model(ref, progress), label=ref)


def load_tokenizer(name: str):
    """The tokenizer of a resolved model, with a pad token (the EOS token when it has none)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
    except OSError as exc:
        raise InputError(f"model '{name}'", f"could not load its tokenizer ({_first_line(exc)})") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_kwargs(quantization_config=None, attn_implementation: str | None = None) -> dict:
    """`from_pretrained` keywords for a training load: the attention kernel, and for a quantised (QLoRA) load the
    config and this process's GPU."""
    kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
    if quantization_config is not None:  # tunesmith: qlora — quantise at load time, on this process's GPU
        from accelerate import PartialState

        kwargs |= {"quantization_config": quantization_config, "device_map": {"": PartialState().local_process_index}}
    return kwargs


def load_model(name: str, dtype: str = "float32", quantization_config=None, attn_implementation: str | None = None):
    """A causal LM from a resolved folder or hub id (float32 by default: CPU training autocasts as needed).

    `quantization_config` (e.g. QLoRA's 4-bit `BitsAndBytesConfig`) quantises the weights as they load, onto this
    process's GPU; only a method's `quantization_config(cfg)` should supply it. `attn_implementation` None keeps
    transformers' default (SDPA).
    """
    import torch
    from transformers import AutoModelForCausalLM

    kwargs = load_kwargs(quantization_config, attn_implementation)
    try:
        return AutoModelForCausalLM.from_pretrained(name, dtype=getattr(torch, dtype), **kwargs)
    except OSError as exc:
        raise InputError(f"model '{name}'", f"could not load it ({_first_line(exc)})") from None


def load_for_inference(source: ModelSource):
    """(model, tokenizer) in eval mode; an adapter is attached unmerged with PEFT."""
    tokenizer = load_tokenizer(str(source.adapter) if source.adapter else source.base)
    model = load_model(source.base)
    if source.adapter is not None:
        model = _attach_adapter(model, source.adapter)
    model.eval()
    return model, tokenizer


def load_with_score_head(
    path: str, dtype: str = "float32", quantization_config=None, attn_implementation: str | None = None
):
    """The model with a one-output sequence-classification score head (num_labels=1), loaded like `load_model`:
    the reward stage trains it, and online RL scores completions with it."""
    import torch
    from transformers import AutoModelForSequenceClassification

    kwargs = load_kwargs(quantization_config, attn_implementation)
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=1, dtype=getattr(torch, dtype), **kwargs
        )
    except (OSError, ValueError) as exc:
        raise InputError(f"model '{path}'", f"could not load it with a reward head ({exc})") from None


def _attach_adapter(model, folder: Path):
    """A PEFT adapter through PEFT; a tunesmith bottleneck adapter (method `adapter`) is added in place; a learned
    gate over LoRA adapters (method `xlora`) loads its adapters through PEFT, with the gate."""
    from tunesmith.models.adapter_gate import is_gate_folder, load_gate
    from tunesmith.models.bottleneck import is_adapter_folder, load_adapter

    if is_adapter_folder(folder):
        return load_adapter(model, folder)
    if is_gate_folder(folder):
        return load_gate(model, folder)
    from peft import PeftModel

    return PeftModel.from_pretrained(model, folder)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
