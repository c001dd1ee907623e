"""A merged model loads with plain transformers (no PEFT) and greedily generates what base + adapter does."""

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tests.conftest import QUESTIONS
from tunesmith.export.merge import merge_run
from tunesmith.models.generate import generate
from tunesmith.models.loading import load_for_inference, source_for
from tunesmith.train.run import train

PROMPTS = [[{"role": "user", "content": q}] for q, _ in QUESTIONS]


def test_merged_model_generates_like_base_plus_adapter(make_recipe, tmp_path, tiny_model_dir):
    recipe = make_recipe(train={"max_steps": 8, "learning_rate": 2e-2})
    train(recipe)
    adapted, tokenizer = load_for_inference(source_for(recipe.run_dir))
    expected = generate(adapted, tokenizer, PROMPTS, max_new_tokens=12)

    out = merge_run(recipe.run_dir, tmp_path / "merged")
    assert not (out / "adapter_config.json").exists()
    merged = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    assert "peft_config" not in vars(merged)
    assert generate(merged, AutoTokenizer.from_pretrained(out), PROMPTS, max_new_tokens=12) == expected

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    assert generate(base, tokenizer, PROMPTS, max_new_tokens=12) != expected  # the adapter really changed outputs
