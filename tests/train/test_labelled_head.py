"""The labelled-only LM head gives TRL's loss and gradients while scoring only positions that carry a label."""

from __future__ import annotations

import torch
from transformers import AutoModelForCausalLM

from tunesmith.train.speedups.labelled_head import applies, labelled_loss, labelled_positions


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
    loss, stats = labelled_loss(model, batch)
    loss.backward()
    torch.testing.assert_close(loss, full, rtol=1e-5, atol=1e-6)
    assert stats[2] == (batch["labels"][:, 1:] != -100).sum()
    for name, param in model.named_parameters():  # the head trains here: its weight's gradient is checked too
        torch.testing.assert_close(param.grad, expected[name], rtol=1e-4, atol=1e-6)


def test_chunks_change_nothing_and_statistics_are_the_logged_ones(tiny_model_dir, monkeypatch):
    from tunesmith.train.speedups import chunked_head

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    batch = _batch()
    whole, whole_stats = labelled_loss(model, batch, with_stats=True)
    monkeypatch.setattr(chunked_head, "CHUNK_BYTES", 4 * model.config.vocab_size * 3)  # 3 tokens a chunk
    chunked, chunked_stats = labelled_loss(model, batch, with_stats=True)
    torch.testing.assert_close(chunked, whole)
    torch.testing.assert_close(chunked_stats, whole_stats)
    logits = model(**batch).logits[:, :-1].float()
    labelled = batch["labels"][:, 1:] != -100
    log_probs = torch.log_softmax(logits[labelled], -1)
    targets = batch["labels"][:, 1:][labelled]
    entropy = -(log_probs.exp() * log_probs).sum()
    correct = (log_probs.argmax(-1) == targets).sum()
    torch.testing.assert_close(whole_stats, torch.stack([entropy, correct.float(), labelled.sum().float()]))


def test_under_bf16_autocast_the_loss_is_the_full_heads(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.bfloat16)
    batch = _batch()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        full = model(**batch).loss
        loss, _ = labelled_loss(model, batch)
        loss.backward()
    torch.testing.assert_close(loss, full.float(), rtol=2e-2, atol=2e-2)
    assert all(p.grad.dtype == torch.bfloat16 for p in model.parameters() if p.grad is not None)


def test_summed_loss_divides_by_the_accumulated_item_count(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    batch = _batch()
    mean, stats = labelled_loss(model, batch)
    halved, _ = labelled_loss(model, batch, num_items_in_batch=2 * stats[2].long())
    torch.testing.assert_close(halved, mean / 2)


def test_heads_that_are_not_a_plain_projection_keep_trls_path(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    model.config.final_logit_softcapping = 30.0  # Gemma-style: logits are not hidden @ W
    assert not applies(model, _batch())


def test_prompt_learning_models_keep_trls_head(tiny_model_dir):
    from peft import PromptTuningConfig, get_peft_model

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    assert applies(model, _batch())
    wrapped = get_peft_model(model, PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4))
    assert not applies(wrapped, _batch())


def test_skipping_adapter_input_casts_keeps_autocast_logits(tiny_model_dir):
    from peft import LoraConfig, get_peft_model

    from tunesmith.train.speedups.labelled_head import skip_adapter_input_casts

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.bfloat16)
    model = get_peft_model(base, LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False)).eval()
    ids = _batch()["input_ids"]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        cast = model(input_ids=ids).logits
        assert skip_adapter_input_casts(model) == 14  # every LoRA layer of the 2-layer model
        uncast = model(input_ids=ids).logits
    torch.testing.assert_close(uncast, cast, rtol=0, atol=0)
