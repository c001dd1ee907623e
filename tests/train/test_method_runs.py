"""Whole runs with the PEFT method families: they train through `train()`, load back for chat, and merge or refuse."""

import json
from types import SimpleNamespace

import pytest
import torch
import yaml
from transformers import AutoModelForCausalLM, AutoTokenizer

from tests.conftest import QUESTIONS
from tunesmith.errors import InputError
from tunesmith.eval.loss import validation_loss
from tunesmith.export.merge import merge_run
from tunesmith.models.loading import ModelSource, load_for_inference, source_for
from tunesmith.runs import RunDir
from tunesmith.train.methods import TrainingPlan, apply_method, find_method
from tunesmith.train.methods.adalora import Config as AdaLoraConfig
from tunesmith.train.methods.prompt_tuning import Config as PromptTuningConfig
from tunesmith.train.run import train

IDS = torch.tensor([[1, 17, 230, 4051, 99, 12, 7]])


def logits(model):
    with torch.no_grad():
        return model(input_ids=IDS).logits


def kept_ranks(adapter_config: dict) -> list[int]:
    return [sum(mask) for mask in adapter_config["rank_pattern"].values()]


def test_adalora_run_prunes_ranks_to_the_target_budget(make_recipe):
    # keep_best off: the best checkpoint may come from mid-schedule, before the budget reached target_r
    recipe = make_recipe(
        method={"name": "adalora", "init_r": 4, "target_r": 2}, train={"max_steps": 6, "keep_best": False}
    )
    train(recipe)
    saved = json.loads((RunDir(recipe.run_dir).final / "adapter_config.json").read_text())
    ranks = kept_ranks(saved)
    assert len(ranks) == 14  # every linear of the 2 layers
    assert sum(ranks) == 2 * len(ranks)  # the budget ends at target_r per matrix on average
    assert min(ranks) < 4  # ranks were really cut, not left at init_r


def test_adalora_allocation_callback_prunes_and_the_pruned_adapter_reloads(tiny_model_dir, tmp_path):
    cfg, plan = AdaLoraConfig(init_r=4, target_r=1, dropout=0.0), TrainingPlan(total_steps=5, learning_rate=1e-2)
    model = apply_method(AutoModelForCausalLM.from_pretrained(tiny_model_dir), cfg, plan)
    (callback,) = find_method(cfg.name).callbacks(model, cfg, plan)
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for step in range(plan.total_steps):  # the trainer's order: backward, step, callback, zero_grad
        model(input_ids=IDS, labels=IDS).loss.backward()
        optim.step()
        callback.on_optimizer_step(None, SimpleNamespace(global_step=step), None)
        optim.zero_grad()
    model.eval()
    live = [int((p != 0).sum()) for n, p in model.named_parameters() if "lora_E" in n]
    assert sum(live) == len(live) < 4 * len(live)  # masked ranks are zeroed: one survives per matrix on average

    model.save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(tmp_path)
    loaded = load_for_inference(ModelSource(base=str(tiny_model_dir), adapter=tmp_path))[0]
    assert loaded.base_model.model.model.layers[0].self_attn.q_proj.lora_E["default"].shape[0] < 4  # saved pruned
    torch.testing.assert_close(logits(loaded), logits(model), rtol=0, atol=1e-5)


def test_prompt_tuning_run_keeps_its_best_checkpoint_chats_and_refuses_to_merge(make_recipe, tmp_path):
    recipe = make_recipe(method={"name": "prompt_tuning", "num_virtual_tokens": 4})
    result = train(recipe)
    assert result.trainable_params == 4 * 32
    model, tokenizer = load_for_inference(source_for(recipe.run_dir))
    inputs = tokenizer(["Capital of France?"], return_tensors="pt")
    assert model.generate(**inputs, max_new_tokens=3, do_sample=False).shape[1] == inputs.input_ids.shape[1] + 3
    with pytest.raises(InputError, match="method 'prompt_tuning' adds trained virtual tokens.*cannot be merged"):
        merge_run(recipe.run_dir, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_p_tuning_v2_run_trains_with_keep_best(make_recipe):
    recipe = make_recipe(method={"name": "p_tuning_v2", "num_virtual_tokens": 4})
    result = train(recipe)
    assert result.trainable_params == 4 * 2 * 2 * 16  # a key and a value prefix per layer (2 KV heads of 8)
    assert json.loads((RunDir(recipe.run_dir).final / "adapter_config.json").read_text())["prefix_projection"] is False


def test_p_tuning_trains_with_keep_best(make_recipe):
    recipe = make_recipe(method={"name": "p_tuning", "num_virtual_tokens": 4})  # keep_best defaults to true
    train(recipe)
    saved = yaml.safe_load((RunDir(recipe.run_dir).recipe).read_text())
    assert saved["train"]["keep_best"] is True  # its checkpoints load back (train/methods/_resumable.py)
    model, tokenizer = load_for_inference(source_for(recipe.run_dir))
    inputs = tokenizer(["Hi"], return_tensors="pt")
    assert model.generate(**inputs, max_new_tokens=2, do_sample=False).shape[1] == inputs.input_ids.shape[1] + 2


def test_prefix_tuning_with_projection_trains_with_keep_best(make_recipe, tmp_path):
    recipe = make_recipe(method={"name": "prefix_tuning", "num_virtual_tokens": 4})
    train(recipe)
    assert yaml.safe_load((RunDir(recipe.run_dir).recipe).read_text())["train"]["keep_best"] is True
    model, tokenizer = load_for_inference(source_for(recipe.run_dir))
    assert "prompt_encoder.default.embedding.weight" in dict(model.named_parameters())  # projected prefixes only
    assert model.prompt_encoder["default"].embedding.weight.shape == (4, 2 * 2 * 16)
    inputs = tokenizer(["Hi"], return_tensors="pt")
    assert model.generate(**inputs, max_new_tokens=2, do_sample=False).shape[1] == inputs.input_ids.shape[1] + 2
    with pytest.raises(InputError, match="method 'prefix_tuning' adds .* cannot be merged"):
        merge_run(recipe.run_dir, tmp_path / "merged")


def test_ia3_run_merges_into_a_plain_model_with_the_same_logits(make_recipe, tmp_path):
    recipe = make_recipe(method={"name": "ia3"}, train={"learning_rate": 5e-2})
    train(recipe)
    adapted = load_for_inference(source_for(recipe.run_dir))[0]
    merged = AutoModelForCausalLM.from_pretrained(merge_run(recipe.run_dir, tmp_path / "merged")).eval()
    torch.testing.assert_close(logits(merged), logits(adapted), rtol=1e-4, atol=1e-4)


def test_validation_loss_scores_a_prompt_tuned_model(tiny_model_dir):
    model = apply_method(AutoModelForCausalLM.from_pretrained(tiny_model_dir), PromptTuningConfig(num_virtual_tokens=4))
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    conversations = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in QUESTIONS]
    assert validation_loss(model.eval(), tokenizer, conversations)["loss"] > 0
