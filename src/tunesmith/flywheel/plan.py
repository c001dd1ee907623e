"""Read a flywheel recipe and resolve everything it names before any work starts: bad input fails here."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunesmith.config import Recipe, apply_override, resolve_paths, validate_recipe
from tunesmith.data.pipeline import Step, parse_step
from tunesmith.errors import InputError
from tunesmith.flywheel.config import FlywheelRecipe
from tunesmith.schema import validate
from tunesmith.serve.logfilter import LogFilter, parse_when
from tunesmith.yaml_file import read_mapping

CURATED = "curated.jsonl"
RUN = "run"


@dataclass
class FlywheelPlan:
    """A validated flywheel recipe with what it resolves to: log filter, curate steps, training recipe, folder."""

    recipe: FlywheelRecipe
    where: LogFilter
    steps: list[Step]
    train: Recipe
    source: str

    @property
    def folder(self) -> Path:
        return self.recipe.folder


def load_flywheel(path: str | Path, overrides: list[str] | None = None) -> FlywheelPlan:
    """Read, override (`a.b=value`) and validate a flywheel recipe file."""
    raw = read_mapping(path, "flywheel recipe", "a mapping with store, teacher_model, curate, train, compare, promote")
    for item in overrides or []:
        apply_override(raw, item)
    return plan_flywheel(raw, str(path))


def plan_flywheel(raw: dict[str, Any], source: str = "flywheel") -> FlywheelPlan:
    """Validate a flywheel recipe mapping; every problem is an InputError naming `source` and the key."""
    recipe: FlywheelRecipe = validate(FlywheelRecipe, raw, source)
    steps = [parse_step(entry, f"{source}: curate[{i}]") for i, entry in enumerate(recipe.curate)]
    for i, step in enumerate(steps):
        if step.name == "split":
            raise InputError(f"{source}: curate[{i}]", "split ends in two datasets; the flywheel holds out its own")
    train = training_recipe(recipe.train, recipe.folder, source)
    return FlywheelPlan(recipe, log_filter(recipe, source), steps, train, source)


def log_filter(recipe: FlywheelRecipe, source: str) -> LogFilter:
    """The requests to learn from: the teacher's answered chat requests within the recipe's filter."""
    f = recipe.filter
    return LogFilter(
        since=parse_when(f.since, f"{source}: key 'filter.since'") if f.since else None,
        until=parse_when(f.until, f"{source}: key 'filter.until'") if f.until else None,
        model=recipe.teacher_model,
        tag=f.tag,
        feedback=f.feedback,
        endpoint="chat",
        status="ok",
    )


def training_recipe(spec: Path | dict, folder: Path, source: str) -> Recipe:
    """The training recipe with `data.train` replaced by the curated export and the run directory in `folder`."""
    if isinstance(spec, dict):
        raw, where = copy.deepcopy(spec), f"{source}: train"
    else:
        raw, where = (
            read_mapping(spec, "recipe", "a mapping of recipe sections (model, data, method, train …)"),
            str(spec),
        )
        resolve_paths(raw, Path(spec).parent)  # as `tunesmith train` reads it: relative to the recipe file
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: key 'data'", "expected a mapping (its 'train' is replaced by the curated log)")
    stage = raw.get("stage", "sft")
    stage_name = stage.get("name") if isinstance(stage, dict) else stage
    if stage_name != "sft":
        expected = f"the flywheel trains on SFT rows from the log; expected sft, got {stage_name!r}"
        raise InputError(f"{where}: key 'stage'", expected)
    raw["data"] = {**data, "train": str(folder / CURATED)}
    raw["output"] = {"dir": str(folder), "name": RUN}
    return validate_recipe(raw, source=where)
