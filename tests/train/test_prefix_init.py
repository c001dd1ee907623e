"""Prefixes started from a real text's keys and values: the model reads an input as the base reads text + input."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.train.methods import apply_method, p_tuning_v2, prefix_tuning
from tunesmith.train.methods._prefix_init import fit_projection, text_ids

TEXT = "Answer in JSON."
INPUT = torch.tensor([[17, 230, 4051, 99, 12, 7, 300]])
CASES = {
    "p_tuning_v2": p_tuning_v2.Config(num_virtual_tokens=6, init_text=TEXT),
    "prefix_tuning": prefix_tuning.Config(num_virtual_tokens=6, init_text=TEXT),  # with the projection MLP
}


def tiny(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def test_text_ids_repeat_a_short_text_and_cut_a_long_one(smol_tokenizer):
    ids = smol_tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    assert text_ids(smol_tokenizer, TEXT, 2).tolist() == [ids[:2]]
    assert text_ids(smol_tokenizer, TEXT, len(ids) + 2).tolist() == [ids + ids[:2]]


@pytest.mark.parametrize("case", list(CASES))
def test_prefixed_model_reads_an_input_as_the_base_reads_the_text_then_the_input(case, tiny_model_dir):
    cfg = CASES[case]
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    text = text_ids(tokenizer, TEXT, cfg.num_virtual_tokens)
    with torch.no_grad():
        expected = tiny(tiny_model_dir)(input_ids=torch.cat([text, INPUT], dim=1)).logits[:, text.shape[1] :]
        model = apply_method(tiny(tiny_model_dir), cfg).eval()
        got = model(input_ids=INPUT).logits
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-4)


@pytest.mark.parametrize("case", list(CASES))
def test_the_prefixes_are_the_base_models_cached_keys_and_values(case, tiny_model_dir):
    """The same check without the forward pass: PEFT's cache for the prefix holds the base's keys and values."""
    cfg = CASES[case]
    text = text_ids(AutoTokenizer.from_pretrained(tiny_model_dir), TEXT, cfg.num_virtual_tokens)
    with torch.no_grad():
        base_cache = tiny(tiny_model_dir)(input_ids=text, use_cache=True).cache
        prompt = apply_method(tiny(tiny_model_dir), cfg).get_prompt(batch_size=1)
    assert len(prompt.layers) == len(base_cache.layers) == 2
    for ours, theirs in zip(prompt.layers, base_cache.layers):
        assert ours.keys.shape == theirs.keys.shape == (1, 2, cfg.num_virtual_tokens, 8)  # 2 KV heads (GQA) of 8
        torch.testing.assert_close(ours.keys, theirs.keys, rtol=0, atol=1e-5)
        torch.testing.assert_close(ours.values, theirs.values, rtol=0, atol=1e-5)


def test_without_init_text_the_prefixes_keep_pefts_random_start(tiny_model_dir):
    cfg = p_tuning_v2.Config(num_virtual_tokens=6, init_text=None)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    text = text_ids(tokenizer, TEXT, 6)
    with torch.no_grad():
        expected = tiny(tiny_model_dir)(input_ids=torch.cat([text, INPUT], dim=1)).logits[:, 6:]
        got = apply_method(tiny(tiny_model_dir), cfg).eval()(input_ids=INPUT).logits
    assert (got - expected).abs().max() > 1e-2


def test_projection_fit_is_exact_and_keeps_the_mlp_input_side(tiny_model_dir):
    model = apply_method(tiny(tiny_model_dir), prefix_tuning.Config(num_virtual_tokens=6, init_text=None))
    encoder = model.prompt_encoder["default"]
    first = encoder.transform[0].weight.detach().clone()
    target = torch.randn(6, encoder.transform[-1].out_features) * 3
    fit_projection(encoder, target)
    assert torch.equal(encoder.transform[0].weight, first)
    with torch.no_grad():
        torch.testing.assert_close(encoder(torch.arange(6)), target, rtol=0, atol=1e-4)


def test_a_projection_narrower_than_the_prefix_is_refused():
    recipe = {"data": {"train": "x.jsonl"}, "method": {"name": "prefix_tuning", "encoder_hidden_size": 8}}
    with pytest.raises(InputError, match="encoder_hidden_size.*at least num_virtual_tokens"):
        validate_recipe(recipe)
    recipe["method"]["init_text"] = None  # PEFT's random start needs no fit
    assert validate_recipe(recipe).method.encoder_hidden_size == 8
