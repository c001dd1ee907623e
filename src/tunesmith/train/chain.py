"""Stage chains: one recipe trains `stages: [...]` in order, each starting from the previous stage's output.

A chain recipe is an ordinary recipe plus a `stages` list; each entry overlays the sections it names (usually
`stage`, `data` and `train`, since DPO wants preference data and a far lower learning rate) on the shared
ones. Every stage is a complete run directory under `runs/<name>/stages/<i>-<stage>/`; the chain's own folder
`runs/<name>/` then holds the last stage's recipe and final adapter (so `chat`, `eval`, `serve` and `export`
take it like any run) and a summary of every stage.
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import asdict
from pathlib import Path

from tunesmith.atomic import atomic_dir, write_text
from tunesmith.config import OutputConfig, Recipe, apply_override, dump_recipe, resolve_paths, validate_recipe
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir
from tunesmith.yaml_file import read_mapping

OVERLAY_KEYS = {"stage", "data", "train", "method", "forgetting"}


def is_chain(path: str | Path) -> bool:
    """Whether the recipe file lists `stages`."""
    return "stages" in read_mapping(path, "recipe", "a mapping of recipe sections")


def load_chain(path: str | Path, overrides: list[str] | None = None) -> list[Recipe]:
    """One validated recipe per stage, in order; overrides apply to the shared sections.

    As in any recipe, relative paths in the file are read from its folder, those in `overrides` from the current
    directory."""
    raw = read_mapping(path, "recipe", "a mapping of recipe sections")
    resolve_paths(raw, Path(path).parent)
    stages = raw.get("stages")
    for entry in stages if isinstance(stages, list) else []:
        if isinstance(entry, dict):
            resolve_paths(entry, Path(path).parent)
    for item in overrides or []:
        apply_override(raw, item)
    entries = raw.pop("stages")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: key 'stages'", "expected a list of stages, e.g. [{stage: sft}, {stage: dpo, …}]")
    output = raw.get("output") or {}
    root = Path(output.get("dir", "runs")) / str(output.get("name") or Path(path).stem)
    recipes = []
    for i, entry in enumerate(entries, 1):
        entry = {"stage": entry} if isinstance(entry, str) else entry
        where = f"{path}: stages[{i - 1}]"
        if not isinstance(entry, dict) or "stage" not in entry:
            raise InputError(where, "expected a mapping with a 'stage' key, e.g. {stage: dpo, data: {train: …}}")
        unknown = sorted(set(entry) - OVERLAY_KEYS)
        if unknown:
            raise InputError(where, f"unknown key(s) {unknown}; a stage may set {', '.join(sorted(OVERLAY_KEYS))}")
        merged = _overlay(copy.deepcopy(raw), entry)
        stage_name = entry["stage"] if isinstance(entry["stage"], str) else entry["stage"].get("name")
        merged["output"] = {"dir": str(root / "stages"), "name": f"{i}-{stage_name}"}
        recipes.append(validate_recipe(merged, where))
    return recipes


def train_chain(
    recipes: list[Recipe], resume: bool = False, overwrite: bool = False, progress: Progress = SILENT
) -> tuple[Path, list]:
    """Train every stage in order (each from the previous stage's output); returns the chain folder and results."""
    from tunesmith.train.run import train

    root = chain_root(recipes)
    results, previous = [], None
    for recipe in recipes:
        done = RunDir(recipe.run_dir)
        if resume and (done.summary).is_file():  # finished stages are kept when a chain resumes
            results.append(json.loads(done.summary.read_text()))
            previous = done.root
            continue
        progress.note(f"Stage {recipe.output.name}")
        stage_resume = resume and done.last_checkpoint() is not None
        result = train(
            recipe, resume=stage_resume, overwrite=overwrite or resume, progress=progress, start_from=previous
        )
        results.append(asdict(result))
        previous = done.root
    from tunesmith.train.distributed import is_main

    if is_main():  # under torchrun, rank 0 writes
        _publish(root, recipes[-1], RunDir(previous), results)
    return root, results


def chain_root(recipes: list[Recipe]) -> Path:
    """The chain's own folder (`runs/<name>`), parent of its `stages/`."""
    return recipes[0].output.dir.parent


def evaluate_chain(recipes: list[Recipe], progress: Progress = SILENT) -> tuple[list, dict]:
    """The base model and every stage's output on the last stage's eval file, side by side in one report."""
    from tunesmith.eval.report import write_report
    from tunesmith.eval.run import evaluate
    from tunesmith.models.loading import ModelSource, source_for

    cfg = recipes[-1].eval
    if cfg.file is None:
        raise InputError("eval.file", "the chain recipe names no eval file")
    sources = [ModelSource(base=source_for(recipes[0].model, progress).base, label=f"base ({recipes[0].model})")]
    for recipe in recipes:
        found = source_for(recipe.run_dir, progress)
        sources.append(ModelSource(base=found.base, adapter=found.adapter, label=str(recipe.output.name)))
    results = [evaluate(source, cfg.file, cfg, progress) for source in sources]
    return results, write_report(results, RunDir(chain_root(recipes)).eval_dir, cfg.file)


def _publish(root: Path, last: Recipe, final_run: RunDir, results: list) -> None:
    """Make the chain folder a run directory: the last stage's recipe and final model, and every stage's summary."""
    chain = RunDir(root)
    with atomic_dir(chain.final) as tmp:
        shutil.copytree(final_run.final, tmp, dirs_exist_ok=True)
    published = last.model_copy(update={"output": OutputConfig(dir=root.parent, name=root.name)})
    write_text(chain.recipe, dump_recipe(published))
    write_text(chain.summary, json.dumps({"stages": results}, indent=2))
    if final_run.loss_plot.is_file():
        shutil.copyfile(final_run.loss_plot, chain.loss_plot)


def _overlay(base: dict, entry: dict) -> dict:
    """`base` with each section of `entry` merged in (a `method` or `stage` section replaces the shared one)."""
    for key, value in entry.items():
        if key in {"stage", "method"} or not isinstance(value, dict) or not isinstance(base.get(key), dict):
            base[key] = value
        else:
            base[key] = {**base[key], **value}
    return base
