"""QLoRA: a 4-bit NF4 base with LoRA on top; on a machine without CUDA or bitsandbytes it stops at once, clearly."""

import importlib.util

import pytest
import torch
from transformers import AutoModelForCausalLM

from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.train.methods import TrainingPlan, apply_method, find_method
from tunesmith.train.methods.qlora import Config
from tunesmith.train.run import train


def quantization(cfg):
    """How the method of `cfg` needs the base model loaded."""
    return find_method(cfg.name).quantization_config(cfg)


GPU = torch.cuda.is_available() and importlib.util.find_spec("bitsandbytes") is not None


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
def test_without_cuda_it_stops_before_loading_and_says_why(make_recipe):
    with pytest.raises(InputError, match="qlora needs a CUDA GPU.*use method lora on CPU"):
        find_method("qlora").preflight(Config())
    recipe = make_recipe(method={"name": "qlora", "r": 4})
    with pytest.raises(InputError, match="qlora needs a CUDA GPU"):
        train(recipe)
    assert not recipe.run_dir.exists()


def test_without_bitsandbytes_it_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bitsandbytes" else object())
    with pytest.raises(InputError, match="pip install bitsandbytes"):
        find_method("qlora").preflight(Config())


def test_recipe_takes_lora_keys_and_loads_nf4_with_double_quantization():
    recipe = validate_recipe({"data": {"train": "x.jsonl"}, "method": {"name": "qlora", "r": 8, "use_dora": True}})
    assert (recipe.method.r, recipe.method.use_dora) == (8, True)
    quant = quantization(recipe.method)
    assert quant.load_in_4bit and quant.bnb_4bit_quant_type == "nf4" and quant.bnb_4bit_use_double_quant
    assert quant.bnb_4bit_compute_dtype == torch.bfloat16
    assert quantization(validate_recipe({"data": {"train": "x.jsonl"}}).method) is None  # plain lora


@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU and bitsandbytes")
def test_on_gpu_lora_trains_on_a_4bit_base_with_a_paged_8bit_optimizer(tiny_model_dir):
    import bitsandbytes as bnb

    from tunesmith.models.loading import load_model

    cfg, plan = Config(r=4, alpha=8), TrainingPlan(total_steps=3, learning_rate=1e-3)
    model = load_model(str(tiny_model_dir), quantization_config=quantization(cfg))
    assert model.is_loaded_in_4bit
    model = apply_method(model, cfg, plan)
    optim = find_method(cfg.name).optimizer(model, cfg, plan)
    assert isinstance(optim, bnb.optim.PagedAdamW8bit)
    lora_b = {n: p.detach().clone() for n, p in model.named_parameters() if "lora_B" in n}
    ids = torch.randint(0, 1000, (2, 12), device="cuda")
    for _ in range(3):
        model(input_ids=ids, labels=ids).loss.backward()
        optim.step()
        optim.zero_grad()
    assert all(not torch.equal(p, lora_b[n]) for n, p in model.named_parameters() if "lora_B" in n)


def test_apply_refuses_a_base_that_was_not_loaded_in_4bit(tiny_model_dir, monkeypatch):
    monkeypatch.setattr("tunesmith.train.methods.qlora.preflight", lambda cfg: None)
    with pytest.raises(InputError, match="loaded in 4-bit"):
        apply_method(AutoModelForCausalLM.from_pretrained(tiny_model_dir), Config())
