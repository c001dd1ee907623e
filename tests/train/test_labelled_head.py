"""The labelled-only LM head gives TRL's loss and gradients while scoring only positions that carry a label."""

from __future__ import annotations

import torch
from transformers import AutoModelForCausalLM

from tunesmith.train.stages._labelled_head import applies, labelled_loss, labelled_positions


def _batch():
    torch.manual_seed(0)
    ids = torch.randint(5, 200, (3, 12))
    attention = torch.ones_like(ids)
    attention[2, 9:] = 0  # a right-padded row
    labels = ids.clone()
    labels[:, :7] = -100  # the prompt
    labels[1, :9] = -100  # a longer prompt
    labels[attention == 0] = -100
    return {"input_ids": ids, "attention_mask": attention, "labels": labels}


def test_positions_are_those_whose_next_token_is_labelled_in_some_row():
    labels = torch.tensor([[-100, -100, 5, 6], [-100, -100, -100, 7]])
    assert labelled_positions(labels).tolist() == [1, 2]


def test_loss_and_gradients_match_the_full_head(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    batch = _batch()
    full = model(**batch).loss  # transformers' mean over labelled tokens, every position scored
    full.backward()
    expected = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    loss, log_probs, targets = labelled_loss(model, batch)
    loss.backward()
    torch.testing.assert_close(loss, full, rtol=1e-5, atol=1e-6)
    assert log_probs.shape[1] == 5 < batch["input_ids"].shape[1]  # positions 6..10 only
    for name, param in model.named_parameters():
        torch.testing.assert_close(param.grad, expected[name], rtol=1e-4, atol=1e-6)


def test_summed_loss_divides_by_the_accumulated_item_count(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    batch = _batch()
    mean, _, targets = labelled_loss(model, batch)
    items = int((targets != -100).sum())
    halved, _, _ = labelled_loss(model, batch, num_items_in_batch=torch.tensor(2 * items))
    torch.testing.assert_close(halved, mean / 2)


def test_prompt_learning_models_keep_trls_head(tiny_model_dir):
    from peft import PromptTuningConfig, get_peft_model

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    assert applies(model, _batch())
    wrapped = get_peft_model(model, PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4))
    assert not applies(wrapped, _batch())


def test_skipping_adapter_input_casts_keeps_autocast_logits(tiny_model_dir):
    from peft import LoraConfig, get_peft_model

    from tunesmith.train.stages._labelled_head import skip_adapter_input_casts

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.bfloat16)
    model = get_peft_model(base, LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False)).eval()
    ids = _batch()["input_ids"]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        cast = model(input_ids=ids).logits
        assert skip_adapter_input_casts(model) == 14  # every LoRA layer of the 2-layer model
        uncast = model(input_ids=ids).logits
    torch.testing.assert_close(uncast, cast, rtol=0, atol=0)
