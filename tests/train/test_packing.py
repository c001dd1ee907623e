"""Packed (padding-free) batches do not leak attention across examples, and packed training runs."""

import torch
from transformers import AutoModelForCausalLM

from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train


def test_packed_sequences_see_only_themselves(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    first, second = torch.randint(0, 1000, (1, 7)), torch.randint(0, 1000, (1, 5))
    with torch.inference_mode():
        alone = [model(input_ids=x).logits for x in (first, second)]
        packed = model(
            input_ids=torch.cat([first, second], dim=1),
            position_ids=torch.cat([torch.arange(7), torch.arange(5)]).unsqueeze(0),
            use_cache=False,  # with a cache transformers skips packed-sequence masking: training sets it off
        ).logits
    torch.testing.assert_close(packed[:, :7], alone[0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(packed[:, 7:], alone[1], atol=1e-5, rtol=1e-4)


def test_training_with_packing_learns(make_recipe):
    recipe = make_recipe(method={"name": "full"}, train={"packing": True, "max_steps": 6, "learning_rate": 5e-3})
    result = train(recipe)
    evals = [r["eval_loss"] for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "eval_loss" in r]
    assert result.steps == 6
    assert evals[-1] < evals[0]
