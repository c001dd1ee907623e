"""Prefix tuning (with its MLP), p-tuning and AdaLoRA checkpoints load back: a run stopped and resumed ends where
an uninterrupted one does, and keep-best restores the best checkpoint's own training state."""

import json
import threading
from types import SimpleNamespace

import pytest
import torch
import yaml
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, TrainerCallback

from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.methods import TrainingPlan, apply_method, find_method
from tunesmith.train.methods._resumable import STATE_FILE, is_checkpoint
from tunesmith.train.methods.adalora import Config as AdaLoraConfig
from tunesmith.train.methods.adalora import allocator_averages
from tunesmith.train.run import train

METHODS = {
    "adalora": {"name": "adalora", "init_r": 4, "target_r": 2, "tinit": 1, "tfinal": 1, "dropout": 0.0},
    "prefix_tuning": {"name": "prefix_tuning", "num_virtual_tokens": 4},
    "p_tuning": {"name": "p_tuning", "num_virtual_tokens": 4},
}
TRAIN = {"max_steps": 6, "eval_steps": 2, "learning_rate": 1e-2, "keep_best": False}


class CancelAt(TrainerCallback):
    """Set the run's cancel event at `step`: the run saves a checkpoint there and stops, as a cancelled job does."""

    def __init__(self, step: int, event: threading.Event):
        self.step, self.event = step, event

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            self.event.set()


def final_tensors(recipe) -> dict[str, torch.Tensor]:
    return load_file(str(RunDir(recipe.run_dir).final / "adapter_model.safetensors"))


def last_eval_loss(recipe) -> float:
    return [r["eval_loss"] for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "eval_loss" in r][-1]


@pytest.mark.parametrize("method", list(METHODS))
def test_a_stopped_and_resumed_run_ends_where_an_uninterrupted_one_does(method, make_recipe):
    straight = make_recipe(method=METHODS[method], train=TRAIN, output={"name": "straight"})
    stopped = make_recipe(method=METHODS[method], train=TRAIN, output={"name": "stopped"})
    train(straight)
    cancel = threading.Event()
    first = train(stopped, callbacks=[CancelAt(4, cancel)], cancel=cancel)
    assert first.cancelled and first.steps == 4
    assert (RunDir(stopped.run_dir).checkpoints / "checkpoint-4" / STATE_FILE).is_file()

    resumed = train(stopped, resume=True)
    assert resumed.resumed_from.endswith("checkpoint-4") and resumed.steps == 6
    ours, theirs = final_tensors(stopped), final_tensors(straight)
    assert ours.keys() == theirs.keys()
    for name in theirs:
        torch.testing.assert_close(ours[name], theirs[name], rtol=1e-4, atol=1e-5, msg=name)
    assert last_eval_loss(stopped) == pytest.approx(last_eval_loss(straight), rel=1e-4)
    if method == "adalora":  # the pruned ranks are the same ones: the allocator's state survived the resume
        config = json.loads((RunDir(stopped.run_dir).final / "adapter_config.json").read_text())
        reference = json.loads((RunDir(straight.run_dir).final / "adapter_config.json").read_text())
        assert config["rank_pattern"] == reference["rank_pattern"]
        assert any(not all(mask) for mask in config["rank_pattern"].values())


@pytest.mark.parametrize("method", ["prefix_tuning", "adalora"])
def test_keep_best_stays_on_and_loads_the_best_checkpoint(method, make_recipe):
    recipe = make_recipe(method=METHODS[method], train={**TRAIN, "keep_best": True, "learning_rate": 5e-2})
    train(recipe)
    assert yaml.safe_load(RunDir(recipe.run_dir).recipe.read_text())["train"]["keep_best"] is True
    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    best_step = min((r for r in rows if "eval_loss" in r), key=lambda r: r["eval_loss"])["step"]
    best = RunDir(recipe.run_dir).checkpoints / f"checkpoint-{best_step}"
    saved = load_file(str(best / "adapter_model.safetensors"))
    final = final_tensors(recipe)
    assert saved.keys() == final.keys()
    for name in saved:
        torch.testing.assert_close(final[name], saved[name], rtol=0, atol=1e-6, msg=name)


def test_checkpoints_carry_the_encoder_weights_but_the_final_adapter_does_not(make_recipe):
    recipe = make_recipe(method=METHODS["prefix_tuning"], train=TRAIN)
    train(recipe)
    run = RunDir(recipe.run_dir)
    (checkpoint,) = run.checkpoints.glob("checkpoint-*")
    state = load_file(str(checkpoint / STATE_FILE))
    assert {"embedding.weight", "transform.0.weight", "transform.2.weight"} <= set(state)
    peft_file = load_file(str(checkpoint / "adapter_model.safetensors"))
    assert peft_file["prompt_embeddings"].shape == (4, 2 * 2 * 16)  # PEFT keeps the MLP's output (layers · K, V)
    assert state["embedding.weight"].shape[0] == 4 and state["embedding.weight"].shape[1] < 2 * 2 * 16  # its input
    assert not (run.final / STATE_FILE).exists()
    assert is_checkpoint(checkpoint) and not is_checkpoint(run.final) and not is_checkpoint("checkpoint-best")


def test_adalora_allocator_attributes_are_where_we_read_them(tiny_model_dir):
    """Fails loudly if PEFT renames the RankAllocator state AdaLoRA checkpoints keep (adalora.allocator_averages)."""
    cfg, plan = AdaLoraConfig(init_r=4, target_r=2, dropout=0.0), TrainingPlan(total_steps=5, learning_rate=1e-2)
    model = apply_method(AutoModelForCausalLM.from_pretrained(tiny_model_dir), cfg, plan)
    (callback,) = find_method(cfg.name).callbacks(model, cfg, plan)
    ids = torch.tensor([[1, 17, 230, 4051, 99, 12, 7]])
    model(input_ids=ids, labels=ids).loss.backward()
    callback.on_optimizer_step(None, SimpleNamespace(global_step=1), None)
    averages = allocator_averages(model)
    lora = {n for n, _ in model.base_model.model.named_parameters() if "lora_" in n}
    assert set(averages) == {"ipt", "exp_avg_ipt", "exp_avg_unc"}
    assert all(set(values) == lora for values in averages.values())
