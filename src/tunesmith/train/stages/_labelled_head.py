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
    through the head in chunks (tunesmith.train.chunked_head). The entropy and correct-token sums are zeros unless
    `with_stats`.
    """
    import torch

    from tunesmith.train.chunked_head import chunked_cross_entropy, head_returns_hidden_states, plain_head

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
    from tunesmith.train.chunked_head import plain_head

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


def sft_trainer_class(kernel_per_batch: bool = False, lean_layers: bool = False):
    """TRL's SFTTrainer with the labelled-only head where it applies (its own fused head elsewhere); with
    `kernel_per_batch`, the attention kernel chosen by each batch's length (tunesmith.train.attention); with
    `lean_layers`, RMSNorm and SwiGLU that keep fewer activations (tunesmith.train.lean_layers)."""
    from trl import SFTTrainer

    from tunesmith.train.attention import use_kernel_for

    class LabelledHeadSFTTrainer(SFTTrainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._eager = "eager"
            if lean_layers:
                from tunesmith.train import lean_attention
                from tunesmith.train.lean_layers import use_lean_layers

                if use_lean_layers(self.model):  # a Llama-family model: plain attention, lean eager fits it
                    self._eager = lean_attention.register()
            if self.args.bf16:
                skip_adapter_input_casts(self.model)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if kernel_per_batch:
                use_kernel_for(self.model, inputs["input_ids"].shape[-1], self._eager)
            if return_outputs or self.compute_loss_func is not None or not applies(self.model, inputs):
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            mode = "train" if self.model.training else "eval"
            logged = mode == "eval" or (self.state.global_step + 1) % self.args.logging_steps == 0
            with self.accelerator.autocast():  # the head's matmuls in the model's precision (its own autocast)
                loss, stats = labelled_loss(model, inputs, num_items_in_batch, with_stats=logged)
            if self.args.average_tokens_across_devices and num_items_in_batch is not None:
                loss = loss * self.accelerator.num_processes  # DDP averages gradients; the items count every rank
            self._log_metrics(mode, inputs, stats if logged else None)
            return loss

        def _log_metrics(self, mode: str, inputs, stats) -> None:
            """The token count, and on logged steps the entropy and token accuracy, that TRL logs for its own loss."""
            import torch

            gather = self.accelerator.gather_for_metrics
            if mode == "train":
                mask_key = "attention_mask" if "attention_mask" in inputs else None
                seen = inputs[mask_key].sum() if mask_key else torch.tensor(inputs["position_ids"].size(1))
                self._total_train_tokens += gather(seen).sum().item()
                self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
            if stats is None:
                return  # entropy and accuracy cost a pass over the logits: only for the steps that are logged
            entropy_sum, right, valid = gather(stats.unsqueeze(0)).sum(0).tolist()
            self._metrics[mode]["entropy"].append(entropy_sum / valid if valid > 0 else 0.0)
            self._metrics[mode]["mean_token_accuracy"].append(right / valid if valid > 0 else 0.0)

    return LabelledHeadSFTTrainer
