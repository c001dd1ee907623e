"""Each stage's shipped example recipe under examples/align trains briefly (on the tiny model) as written."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tunesmith.config import load_recipe
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train

pytestmark = pytest.mark.slow  # seven short runs
ALIGN = Path(__file__).resolve().parents[2] / "examples" / "align"
STAGES = ["orpo", "simpo", "kto", "reward", "rloo", "distill", "pretrain"]
SHORT = {"rloo": ["stage.max_completion_length=8"], "distill": ["stage.max_completion_length=8"]}


@pytest.mark.parametrize("name", STAGES)
def test_each_stage_example_trains(name, tmp_path, tiny_model_dir):
    overrides = [
        f"model={tiny_model_dir}",
        "train.max_steps=2",
        "train.eval_steps=2",
        "train.logging_steps=1",
        "train.max_length=128",
        f"output.dir={tmp_path}",
        *SHORT.get(name, []),
    ]
    if name == "distill":  # the example's teacher is the quickstart run `make demo` trains
        overrides.append(f"stage.teacher={tiny_model_dir}")
    recipe = load_recipe(ALIGN / f"{name}.yaml", overrides)
    assert recipe.stage.name == name
    result = train(recipe)
    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    losses = [row["loss"] for row in rows if "loss" in row]
    assert result.steps == 2 and losses and all(math.isfinite(x) for x in losses)
    assert RunDir(recipe.run_dir).is_adapter()
