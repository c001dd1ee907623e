"""The speed defaults: a bf16 base under bf16 adapter training, length-grouped batches, eager attention on CPU."""

from __future__ import annotations

import pytest
import torch
from transformers import TrainerCallback

from tunesmith.errors import InputError
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.precision import frozen_weights
from tunesmith.train.run import train
from tunesmith.train.speedups.attention import (
    EAGER_UP_TO,
    attention_implementation,
    kernel_for_length,
    switches_per_batch,
    use_kernel_for,
)
from tunesmith.train.stages.sft import groups_by_length


class Dtypes(TrainerCallback):
    """Record the dtypes of frozen and trainable parameters, and the attention kernel, as training starts."""

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        params = list(model.named_parameters())
        self.frozen = {p.dtype for _, p in params if not p.requires_grad}
        self.trainable = {p.dtype for _, p in params if p.requires_grad}
        self.attention = model.config._attn_implementation


def test_auto_frozen_weights_are_bf16_only_for_bf16_training_of_a_frozen_base():
    assert frozen_weights("auto", "bf16", trains_base=False) == "bf16"
    assert frozen_weights("auto", "fp32", trains_base=False) == "fp32"
    assert frozen_weights("auto", "bf16", trains_base=True) == "fp32"  # full/freeze/bitfit save the base
    assert frozen_weights("auto", "bf16", trains_base=False, quantized=True) == "fp32"
    assert frozen_weights("fp32", "bf16", trains_base=False) == "fp32"


@pytest.mark.parametrize("precision, trains_base", [("fp32", False), ("bf16", True)])
def test_explicit_bf16_frozen_weights_that_cannot_work_are_refused(precision, trains_base):
    with pytest.raises(InputError, match="train.frozen_weights"):
        frozen_weights("bf16", precision, trains_base=trains_base)


def test_lora_in_bf16_trains_fp32_adapters_over_a_bf16_base(make_recipe):
    seen = Dtypes()
    recipe = make_recipe(train={"precision": "bf16", "max_steps": 2})
    result = train(recipe, callbacks=[seen])
    assert seen.frozen == {torch.bfloat16} and seen.trainable == {torch.float32}
    assert result.steps == 2
    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    losses = [r["loss"] for r in rows if "loss" in r]
    assert losses and all(0 < x < 20 for x in losses)
    logged = [r for r in rows if "loss" in r][-1]
    assert {"entropy", "mean_token_accuracy", "num_tokens"} <= logged.keys() and logged["num_tokens"] > 0


def test_full_fine_tuning_in_bf16_keeps_fp32_weights(make_recipe):
    seen = Dtypes()
    train(make_recipe(method={"name": "full"}, train={"precision": "bf16", "max_steps": 1}), callbacks=[seen])
    assert seen.frozen <= {torch.float32} and seen.trainable == {torch.float32}


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU choice")
def test_sft_on_cpu_picks_the_attention_kernel_per_batch_length(make_recipe):
    seen = Dtypes()
    train(make_recipe(train={"max_steps": 1}), callbacks=[seen])
    assert seen.attention == "sdpa"  # loaded with the default; the short batches switch it as they come
    assert kernel_for_length(EAGER_UP_TO) == "eager" and kernel_for_length(EAGER_UP_TO + 1) == "sdpa"
    assert switches_per_batch("auto") and not switches_per_batch("sdpa")
    assert attention_implementation("auto") is None and attention_implementation("eager") == "eager"


def test_switching_kernels_keeps_the_logits(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    ids = torch.randint(5, 200, (2, 9))
    use_kernel_for(model, 300)
    sdpa = model(input_ids=ids).logits
    use_kernel_for(model, 9)
    assert model.config._attn_implementation == "eager"
    torch.testing.assert_close(model(input_ids=ids).logits, sdpa, rtol=1e-4, atol=1e-5)


def test_length_grouping_is_opt_in_and_off_when_packed(make_recipe):
    assert not groups_by_length(make_recipe().train)  # it changes which examples a short run sees first
    assert groups_by_length(make_recipe(train={"group_by_length": True}).train)
    assert not groups_by_length(make_recipe(train={"group_by_length": True, "packing": True}).train)


class FirstBatch(TrainerCallback):
    """Keep the first batch the trainer's data loader yields."""

    def on_train_begin(self, args, state, control, train_dataloader=None, **kwargs):
        self.batch = next(iter(train_dataloader))


@pytest.mark.parametrize("multiple", [8, None])
def test_batches_are_padded_to_a_multiple_of_8_with_nothing_learned_from_the_padding(make_recipe, multiple):
    first = FirstBatch()
    train(make_recipe(train={"max_steps": 1, "batch_size": 3, "pad_to_multiple_of": multiple}), callbacks=[first])
    ids, mask, labels = (first.batch[k] for k in ("input_ids", "attention_mask", "labels"))
    longest = int(mask.sum(-1).max())
    if multiple:
        assert ids.shape[-1] % 8 == 0 and longest <= ids.shape[-1] < longest + 8
    else:
        assert ids.shape[-1] == longest
    assert (labels[mask == 0] == -100).all()
