"""SFT loss that projects through the LM head only where a label is, for CPUs (no Triton).

TRL's fused LM head scores only labelled positions on CUDA/XPU (a Triton kernel); elsewhere it scores every
position, in float32, to keep tile shapes fixed. With the loss on assistant replies that is most of a CPU step's
time spent on prompt positions whose scores are thrown away (about 40% of a step for the quickstart task). Here the
model runs up to its head at the labelled positions only (`logits_to_keep`), the head is applied a chunk of tokens
at a time (never the whole batch's logits), and the loss is the same token-summed cross entropy, over the same
`num_items_in_batch`, as TRL's.
"""

from __future__ import annotations


def labelled_positions(labels):
    """Sequence positions whose next token is a label in at least one row (what the LM head must score)."""
    return (labels[:, 1:] != -100).any(dim=0).nonzero().squeeze(-1)


def labelled_loss(model, inputs: dict, num_items_in_batch=None, with_stats: bool = False):
    """(summed-token cross entropy / items, [entropy sum, correct tokens, labelled tokens]) for one batch.

    The model runs with its head passing hidden states through, at the labelled positions only; the loss goes
    through the head in chunks (speedups/chunked_head.py). The entropy and correct-token sums are zeros unless
    `with_stats`.
    """
    import torch

    from tunesmith.train.speedups.chunked_head import chunked_cross_entropy, head_returns_hidden_states, plain_head

    labels = inputs["labels"]
    keep = labelled_positions(labels)
    forward = {k: v for k, v in inputs.items() if k != "labels"}
    head = plain_head(model)
    with head_returns_hidden_states(head):
        hidden = model(**forward, use_cache=False, logits_to_keep=keep).logits
    targets = labels[:, 1:][:, keep]
    labelled = targets != -100
    total, stats = chunked_cross_entropy(hidden[labelled], head.weight, targets[labelled], with_stats)
    items = labelled.sum() if num_items_in_batch is None else num_items_in_batch
    loss = total / torch.as_tensor(items, device=total.device).clamp(min=1)
    return loss, torch.cat([stats, labelled.sum().unsqueeze(0).to(stats.dtype)])


def applies(model, inputs: dict) -> bool:
    """Whether the labelled-only chunked head fits this batch: CPU, not prompt learning, a plain linear head."""
    from tunesmith.train.speedups.chunked_head import plain_head

    if "labels" not in inputs or inputs["labels"].device.type != "cpu":
        return False
    config = getattr(model, "active_peft_config", None)
    if config is not None and getattr(config, "is_prompt_learning", False):
        return False  # virtual tokens shift positions; PEFT pads the labels itself
    return plain_head(model) is not None


def skip_adapter_input_casts(model) -> int:
    """Stop PEFT casting each adapter's input to the adapter's fp32 dtype; how many layers changed.

    Under bf16 autocast the cast is undone at once by autocast (two copies of every activation per adapter, for
    nothing), so this is only for a model that runs under autocast from now on, as SFT training does. The flag is
    PEFT's (what `peft.helpers.disable_input_dtype_casting` sets, which fails on layers without it, such as IA3).
    """
    changed = 0
    for module in model.modules():
        if getattr(module, "cast_input_dtype_enabled", False):
            module.cast_input_dtype_enabled = False
            changed += 1
    return changed
