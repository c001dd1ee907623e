"""The global adapter on disk and on the wire: a run directory's PEFT adapter ⇄ named float tensors.

Every round's global adapter is written as a normal run directory (recipe.yaml, final/ with the adapter and the
tokenizer, summary.json), atomically, so `tunesmith eval`, `serve` and `export` take it as they take any run. Only
the tensors of `adapter_model.safetensors` travel; the adapter's config and the tokenizer are rebuilt at each site
from the shared recipe.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from tunesmith.atomic import atomic_dir
from tunesmith.config import Recipe, dump_recipe
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir

WEIGHTS = "adapter_model.safetensors"
Tensors = dict[str, np.ndarray]


def read_tensors(run: Path) -> Tensors:
    """The adapter tensors of a run directory's final/, as float32 numpy arrays by PEFT's saved names."""
    from safetensors.torch import load_file

    return {name: t.float().numpy() for name, t in load_file(str(RunDir(run).final / WEIGHTS)).items()}


def write_tensors(final: Path, tensors: Tensors) -> None:
    """Save `tensors` as final/adapter_model.safetensors (the file PEFT loads)."""
    import torch
    from safetensors.torch import save_file

    save_file(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in tensors.items()},
        str(final / WEIGHTS),
        {"format": "pt"},
    )


def check_like(received: Tensors, expected: Tensors, sender: str) -> None:
    """Accept only float tensors with exactly the names and shapes of this site's own adapter."""
    if set(received) != set(expected):
        extra, missing = sorted(set(received) - set(expected)), sorted(set(expected) - set(received))
        raise ValueError(
            f"{sender} sent tensors that are not this adapter's (unknown {extra[:3]}, missing {missing[:3]})"
        )
    for name, value in received.items():
        if value.dtype.kind != "f" or value.shape != expected[name].shape:
            raise ValueError(
                f"{sender} sent '{name}' as {value.dtype}{value.shape}, expected float{expected[name].shape}"
            )


def initial_adapter(recipe: Recipe, folder: Path, progress: Progress = SILENT) -> Path:
    """Write the untrained adapter the recipe starts from (its seed, its method) as a run directory at `folder`."""
    from tunesmith.models.loading import load_tokenizer
    from tunesmith.models.resolve import resolve_model
    from tunesmith.train.methods import TrainingPlan, find_method
    from tunesmith.train.setup import load_model_for
    from tunesmith.train.stages import find_stage

    stage, method = find_stage(recipe.stage.name), find_method(recipe.method.name)
    rate = recipe.train.learning_rate  # unread while applying the method; the sites resolve `auto` as they train
    plan = TrainingPlan(total_steps=max(1, recipe.train.max_steps), learning_rate=0.0 if rate == "auto" else rate)
    model = load_model_for(recipe, stage, method, plan, "fp32", None, progress)
    tokenizer = load_tokenizer(resolve_model(recipe.model, progress))
    with atomic_dir(folder) as tmp:
        model.save_pretrained(str(tmp / "final"))
        tokenizer.save_pretrained(str(tmp / "final"))
        (tmp / "recipe.yaml").write_text(dump_recipe(_named(recipe, folder)), encoding="utf-8")
        (tmp / "summary.json").write_text(json.dumps({"round": 0, "initial": True}, indent=2), encoding="utf-8")
    if not RunDir(folder).is_adapter() or not (RunDir(folder).final / WEIGHTS).is_file():
        shutil.rmtree(folder, ignore_errors=True)
        raise InputError(f"method '{recipe.method.name}'", "did not save a PEFT adapter (adapter_model.safetensors)")
    return folder


def write_round(template: Path, folder: Path, recipe: Recipe, tensors: Tensors, summary: dict) -> Path:
    """A run directory at `folder` holding `tensors` as the adapter of `template` (an earlier round's run)."""
    with atomic_dir(folder) as tmp:
        shutil.copytree(RunDir(template).final, tmp / "final", ignore=shutil.ignore_patterns(WEIGHTS))
        write_tensors(tmp / "final", tensors)
        (tmp / "recipe.yaml").write_text(dump_recipe(_named(recipe, folder)), encoding="utf-8")
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return folder


def _named(recipe: Recipe, folder: Path) -> Recipe:
    """The recipe as the run at `folder` records it (its output is that folder)."""
    output = recipe.output.model_copy(update={"dir": folder.parent, "name": folder.name})
    return recipe.model_copy(update={"output": output})
