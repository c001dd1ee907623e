"""SFT loss that projects through the LM head only where a label is, for CPUs (no Triton).

TRL's fused LM head scores only labelled positions on CUDA/XPU (a Triton kernel); elsewhere it scores every
position, in float32, to keep tile shapes fixed. With the loss on assistant replies that is most of a CPU step's
time spent on prompt positions whose scores are thrown away (about 40% of a step for the quickstart task). Here the
model is asked for logits at the labelled positions only (`logits_to_keep`), and the loss is the same token-summed
cross entropy, over the same `num_items_in_batch`, as TRL's.
"""

from __future__ import annotations

LOGITS_BUDGET_BYTES = 2**30  # above this, TRL's chunked head (no full logits in memory) is used instead


def labelled_positions(labels):
    """Sequence positions whose next token is a label in at least one row (what the LM head must score)."""
    return (labels[:, 1:] != -100).any(dim=0).nonzero().squeeze(-1)


def labelled_loss(model, inputs: dict, num_items_in_batch=None, keep=None):
    """(summed-token cross entropy / items, log-probabilities at labelled positions, their targets) for one batch.

    `keep` is `labelled_positions(inputs["labels"])` when the caller has it already."""
    import torch
    import torch.nn.functional as F

    labels = inputs["labels"]
    keep = labelled_positions(labels) if keep is None else keep
    forward = {k: v for k, v in inputs.items() if k != "labels"}
    outputs = model(**forward, use_cache=False, logits_to_keep=keep)
    log_probs = torch.log_softmax(outputs.logits.float(), dim=-1)
    targets = labels[:, 1:][:, keep]
    flat = log_probs.reshape(-1, log_probs.size(-1))
    total = F.nll_loss(flat, targets.reshape(-1), ignore_index=-100, reduction="sum")
    items = (targets != -100).sum() if num_items_in_batch is None else num_items_in_batch
    loss = total / torch.as_tensor(items, device=total.device).clamp(min=1)
    return loss, log_probs.detach(), targets


def applies(model, inputs: dict, keep=None) -> bool:
    """Whether the labelled-only head fits this batch: CPU, a plain or LoRA-like model, logits within budget.

    `keep` is `labelled_positions(inputs["labels"])` when the caller has it already."""
    if "labels" not in inputs or inputs["labels"].device.type != "cpu":
        return False
    config = getattr(model, "active_peft_config", None)
    if config is not None and getattr(config, "is_prompt_learning", False):
        return False  # virtual tokens shift positions; PEFT pads the labels itself
    labels = inputs["labels"]
    vocab = model.config.get_text_config().vocab_size
    keep = labelled_positions(labels) if keep is None else keep
    return labels.size(0) * len(keep) * vocab * 4 * 3 <= LOGITS_BUDGET_BYTES


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


def sft_trainer_class(kernel_per_batch: bool = False):
    """TRL's SFTTrainer with the labelled-only head where it applies (its own fused head elsewhere), and, with
    `kernel_per_batch`, the attention kernel chosen by each batch's length (tunesmith.train.attention)."""
    from trl import SFTTrainer

    from tunesmith.train.attention import use_kernel_for

    class LabelledHeadSFTTrainer(SFTTrainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.args.bf16:
                skip_adapter_input_casts(self.model)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if kernel_per_batch:
                use_kernel_for(self.model, inputs["input_ids"].shape[-1])
            keep = labelled_positions(inputs["labels"]) if "labels" in inputs else None
            if return_outputs or self.compute_loss_func is not None or not applies(self.model, inputs, keep):
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            loss, log_probs, targets = labelled_loss(model, inputs, num_items_in_batch, keep)
            if self.args.average_tokens_across_devices and num_items_in_batch is not None:
                loss = loss * self.accelerator.num_processes  # DDP averages gradients; the items count every rank
            self._log_metrics(inputs, log_probs, targets)
            return loss

        def _log_metrics(self, inputs, log_probs, targets) -> None:
            """The token count, entropy and token accuracy TRL logs for its own loss (the last two on logged steps)."""
            import torch

            mode = "train" if self.model.training else "eval"
            gather = self.accelerator.gather_for_metrics
            if mode == "train":
                mask_key = "attention_mask" if "attention_mask" in inputs else None
                seen = inputs[mask_key].sum() if mask_key else torch.tensor(inputs["position_ids"].size(1))
                self._total_train_tokens += gather(seen).sum().item()
                self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
                if (self.state.global_step + 1) % self.args.logging_steps:
                    return  # entropy and accuracy cost a pass over the logits: only for the steps that are logged
            mask = targets != -100
            with torch.no_grad():
                entropy = -(log_probs.exp() * log_probs).sum(-1)
                target_lp = log_probs.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
                correct = (target_lp >= log_probs.amax(-1)) & mask  # the target is the top token (amax: 6× argmax)
            valid = gather(mask.sum()).sum()
            entropy_sum = gather((entropy * mask).sum()).sum()
            right = gather(correct.sum()).sum()
            self._metrics[mode]["entropy"].append((entropy_sum / valid).item() if valid > 0 else 0.0)
            self._metrics[mode]["mean_token_accuracy"].append((right / valid).item() if valid > 0 else 0.0)
            self._metrics[mode]["num_tokens"] = [self._total_train_tokens]

    return LabelledHeadSFTTrainer
