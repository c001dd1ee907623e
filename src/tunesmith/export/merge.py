"""Merge a run's LoRA adapter into its base model: a standalone safetensors folder plain transformers loads."""

from __future__ import annotations

from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.errors import InputError
from tunesmith.models.loading import ModelSource, load_for_inference, source_for
from tunesmith.progress import SILENT, Progress


def merge_run(run_dir: str | Path, out: str | Path, progress: Progress = SILENT) -> Path:
    """Write base + adapter merged into `out` (atomically); a full/freeze run is copied out as it is."""
    source = source_for(run_dir, progress)
    if source.adapter is not None:
        check_mergeable(run_dir, source.adapter)
    model, tokenizer = load_for_inference(source)
    if source.adapter is not None:
        if not hasattr(model, "merge_and_unload"):
            raise InputError(str(run_dir), "this adapter type cannot be merged; serve it unmerged instead")
        model = model.merge_and_unload()
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
    progress.note(f"Merged model written to {out}")
    return Path(out)


def merged_folder(run_dir: str | Path, source: ModelSource, work: Path, progress: Progress = SILENT) -> Path:
    """The model as one transformers folder for an exporter: a full/freeze run's own, else base + adapter merged
    into `work` (a scratch folder, so its own note would name nothing useful)."""
    if source.adapter is None:
        return Path(source.base)
    progress.note("Merging the adapter into its base model")
    return merge_run(run_dir, work / "merged")


def check_mergeable(run_dir: str | Path, adapter: Path) -> None:
    """Stop, naming the method, when the adapter adds inputs or layers instead of changing weights (tunesmith)."""
    from peft import PeftConfig

    from tunesmith.config import load_recipe
    from tunesmith.models.adapter_gate import is_gate_folder
    from tunesmith.models.bottleneck import is_adapter_folder

    if is_adapter_folder(adapter):
        what = "bottleneck layers"
    elif is_gate_folder(adapter):
        what = "a learned gate that mixes its adapters token by token"
    elif PeftConfig.from_pretrained(str(adapter)).is_prompt_learning:
        what = "trained virtual tokens or attention prefixes"
    else:
        return
    method = load_recipe(Path(run_dir) / "recipe.yaml").method.name
    raise InputError(
        str(run_dir),
        f"method '{method}' adds {what} rather than changing the base weights, so it cannot be merged; "
        "use the run directory itself with chat, eval or serve",
    )
