"""`auto` hyperparameters: each rule on its own, and a recipe with none of them set trains with the resolved values."""

from __future__ import annotations

import pytest
import yaml

from tunesmith.config import validate_recipe
from tunesmith.config.methods import METHOD_NAMES
from tunesmith.config.stages import STAGE_NAMES
from tunesmith.models.size import parameter_count
from tunesmith.progress import Progress
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train import auto
from tunesmith.train.auto import Workload
from tunesmith.train.run import train

SMOL = 134_515_008  # smollm2-135m


def work(**changes) -> Workload:
    return Workload(**{"method": "lora", "stage": "sft", "parameters": SMOL, "examples": 1000, **changes})


def test_every_method_and_stage_has_a_rate():
    assert set(auto.REFERENCE_RATES) == set(METHOD_NAMES)
    assert set(auto.STAGE_FACTORS) == set(STAGE_NAMES)


def test_learning_rate_is_the_methods_reference_at_135m_and_shrinks_with_size_and_for_preference_stages():
    assert auto.learning_rate(work()) == 1e-3
    assert auto.learning_rate(work(method="full")) == 5e-5
    seven_b = auto.learning_rate(work(parameters=7_000_000_000))
    assert 1e-4 < seven_b < 2e-4  # the rate LoRA recipes for 7B models use
    assert auto.learning_rate(work(stage="dpo")) == pytest.approx(5e-5)
    assert auto.learning_rate(work(parameters=1_000)) == 2e-3  # tiny models: bounded at twice the reference
    assert auto.learning_rate(work(parameters=10**13)) == pytest.approx(5e-5)  # and at a twentieth


def test_batch_size_follows_the_device_the_token_budget_and_the_data():
    assert auto.batch_size(work()) == 8
    assert auto.batch_size(work(gpu=True)) == 16
    assert auto.batch_size(work(mean_tokens=1500)) == 2  # 2 × 1500 ≤ 4096 < 4 × 1500
    assert auto.batch_size(work(mean_tokens=1500, gpu=True)) == 8
    assert auto.batch_size(work(examples=40)) == 4  # at most a tenth of the records
    assert auto.batch_size(work(examples=5)) == 1
    assert auto.batch_size(work(stage="grpo", group=6)) == 12  # whole groups of completions
    assert auto.batch_size(work(stage="kto", examples=5, group=2)) == 2


@pytest.mark.parametrize(("examples", "epochs"), [(1000, 2.0), (300, 7.0), (100, 10.0), (24, 10.0), (50_000, 1.0)])
def test_epochs_show_about_two_thousand_examples(examples, epochs):
    assert auto.epochs(work(examples=examples)) == epochs


def test_resolve_replaces_only_auto_values_and_says_why(tmp_path):
    recipe = validate_recipe({"data": {"train": "d.jsonl"}, "train": {"learning_rate": 3e-4}})
    resolved, notes = auto.resolve(recipe, work(examples=300))
    assert (resolved.train.learning_rate, resolved.train.batch_size, resolved.train.epochs) == (3e-4, 8, 7.0)
    assert notes[0] == "auto: train.batch_size = 8" and "300 records" in notes[-1]
    stepped = validate_recipe({"data": {"train": "d.jsonl"}, "train": {"max_steps": 7}})
    assert auto.resolve(stepped, work(examples=300))[0].train.epochs == 1.0  # unused beside max_steps


class Notes(Progress):
    def __init__(self):
        self.lines: list[str] = []

    def note(self, message: str) -> None:
        self.lines.append(message)


def test_a_recipe_without_rate_batch_or_length_trains_with_the_resolved_values(tmp_path, tiny_model_dir, chat_file):
    recipe = validate_recipe(
        {
            "model": str(tiny_model_dir),
            "data": {"train": str(chat_file), "validation_split": 0.25},
            "method": {"name": "lora", "r": 4, "alpha": 8},
            "train": {"eval_steps": 1000, "logging_steps": 1},
            "output": {"dir": str(tmp_path / "runs"), "name": "auto"},
        }
    )
    notes = Notes()
    result = train(recipe, progress=notes)
    expected = Workload("lora", "sft", parameter_count(str(tiny_model_dir)), 24)
    rate, batch = auto.learning_rate(expected), auto.batch_size(expected)
    assert (rate, batch, auto.epochs(expected)) == (2e-3, 2, 10.0)  # 24 training records (32 less a quarter)
    saved = yaml.safe_load(RunDir(recipe.run_dir).recipe.read_text())["train"]
    assert (saved["learning_rate"], saved["batch_size"], saved["epochs"]) == (rate, batch, 10.0)
    assert result.steps == 24 // batch * 10
    rates = [row["learning_rate"] for row in read_jsonl(RunDir(recipe.run_dir).metrics) if "learning_rate" in row]
    assert max(rates) == pytest.approx(rate, rel=0.05)  # the trainer ran at the resolved peak rate
    assert f"auto: train.learning_rate = {rate:g}" in notes.lines
