"""Generation with a prefix adapter (eval's and serving's) keeps the prefix, which `PeftModel.generate` drops."""

from __future__ import annotations

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tunesmith.models.generate import render_prompts
from tunesmith.models.prefix import generation_inputs, is_prefix_model
from tunesmith.train.methods import apply_method, lora, p_tuning_v2
from tunesmith.train.methods._prefix_init import text_ids

TEXT = "Answer in JSON."
CONVERSATIONS = [
    [{"role": "user", "content": "Name a colour."}],
    [{"role": "user", "content": "What is the capital of France? Answer in one word, please."}],
]


def tiny(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def first_scores(model, batch: dict) -> torch.Tensor:
    """The logits of each row's first generated token, through eval's and serving's generation path (the random tiny
    model's greedy tokens are all alike, so the scores are compared)."""
    runner, inputs = generation_inputs(model, batch)
    with torch.inference_mode():
        out = runner.generate(
            **inputs,
            max_new_tokens=2,
            do_sample=False,
            pad_token_id=0,
            output_scores=True,
            return_dict_in_generate=True,
        )
    return out.scores[0]


def test_a_prefix_adapter_generates_as_the_base_reading_its_prefix_text_first(tiny_model_dir):
    """Prefixes started from TEXT's keys and values: each row's first-token logits must be the base's after TEXT +
    prompt, in a left-padded batch of two lengths (the prefix's mask and positions)."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    tokenizer.padding_side = "left"
    model = apply_method(tiny(tiny_model_dir), p_tuning_v2.Config(num_virtual_tokens=6, init_text=TEXT)).eval()
    assert is_prefix_model(model)
    prompts = render_prompts(tokenizer, CONVERSATIONS)
    batch = dict(tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False))
    got = first_scores(model, batch)

    base, text = tiny(tiny_model_dir), text_ids(tokenizer, TEXT, 6)
    expected = []
    for prompt in prompts:
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            expected.append(base(input_ids=torch.cat([text, ids], dim=1)).logits[0, -1])
    torch.testing.assert_close(got, torch.stack(expected), rtol=0, atol=1e-4)
    alone = first_scores(base, batch)  # the base without the prefix: what PeftModel.generate gives today
    assert (got - alone).abs().max() > 1e-2


def test_other_models_are_not_prefix_models(tiny_model_dir):
    assert not is_prefix_model(tiny(tiny_model_dir))
    assert not is_prefix_model(apply_method(tiny(tiny_model_dir), lora.Config(r=4, alpha=8)))
