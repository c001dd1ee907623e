"""Training writes the run layout, changes only what the method allows, and stops early when asked."""

import json

import pytest
import torch
from safetensors.torch import load_file

from tests.conftest import QUESTIONS, write_jsonl
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train


def tiny_weights(folder) -> dict[str, torch.Tensor]:
    return load_file(str(folder / "model.safetensors"))


def test_lora_run_writes_the_run_layout(make_recipe):
    recipe = make_recipe()
    result = train(recipe)
    run = RunDir(recipe.run_dir)
    assert result.steps == 4
    assert run.recipe.is_file() and (run.root / "summary.json").is_file()
    assert run.loss_plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = read_jsonl(run.metrics)
    assert [r["step"] for r in rows if "loss" in r] == [1, 2, 3, 4]
    assert [r["step"] for r in rows if "eval_loss" in r] == [2, 4]
    assert any("tokens_per_second" in r for r in rows)
    assert any(run.tensorboard.iterdir())
    assert run.is_adapter()
    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    assert adapter and all("lora_" in k for k in adapter)
    assert any(v.abs().sum() > 0 for k, v in adapter.items() if "lora_B" in k)  # B starts at zero: it trained
    assert json.loads((run.root / "summary.json").read_text())["trainable_params"] == result.trainable_params


def test_full_run_saves_a_changed_whole_model(make_recipe, tiny_model_dir):
    recipe = make_recipe(method={"name": "full"})
    train(recipe)
    final = RunDir(recipe.run_dir).final
    before, after = tiny_weights(tiny_model_dir), tiny_weights(final)
    assert not (final / "adapter_config.json").exists()
    assert set(after) == set(before)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_freeze_run_changes_only_the_top_layer(make_recipe, tiny_model_dir):
    recipe = make_recipe(method={"name": "freeze", "trainable_layers": 1})
    train(recipe)
    before, after = tiny_weights(tiny_model_dir), tiny_weights(RunDir(recipe.run_dir).final)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("model.layers.1.") for k in changed)


def test_early_stopping_ends_before_max_steps_and_keeps_the_best(make_recipe, tmp_path):
    # Validation answers contradict the training answers, so validation loss rises once the model learns them.
    train_rows = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in QUESTIONS
    ]
    val_rows = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in zip([q for q, _ in QUESTIONS], [a for _, a in QUESTIONS[1:] + QUESTIONS[:1]])
    ]
    recipe = make_recipe(
        data={
            "train": str(write_jsonl(tmp_path / "t.jsonl", train_rows * 4)),
            "validation": str(write_jsonl(tmp_path / "v.jsonl", val_rows)),
        },
        method={"name": "full"},
        train={
            "max_steps": 200,
            "learning_rate": 3e-2,
            "scheduler": "constant",
            "warmup_ratio": 0.0,
            "eval_steps": 2,
            "early_stopping_patience": 2,
        },
    )
    result = train(recipe)
    evals = [r["eval_loss"] for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "eval_loss" in r]
    assert result.steps < 200
    assert min(evals) < evals[-1]
    assert result.best_eval_loss == pytest.approx(min(evals))
