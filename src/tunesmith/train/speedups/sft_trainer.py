"""TRL's SFTTrainer with tunesmith's CPU speed-ups switched on where they apply (one subclass, in the open).

- the labelled-only, chunked LM head (labelled_head.py) instead of scoring every position, on CPU;
- with `kernel_per_batch`, the attention kernel chosen by each batch's length (attention.py);
- with `lean_layers`, RMSNorm/SwiGLU and eager attention that keep fewer activations (lean_layers.py,
  lean_attention.py), for Llama-family models only;
- under bf16, PEFT's per-adapter input casts skipped (autocast undoes them).
TRL has no hook for a custom loss that also keeps its token metrics, so `compute_loss` is overridden here, and
the metrics TRL logs for its own loss are logged the same way (`_log_metrics`; it uses TRL's private `_metrics`
and `_total_train_tokens`, checked by tests/train/test_labelled_head.py).
"""

from __future__ import annotations

import torch
from trl import SFTTrainer

from tunesmith.train.speedups import lean_attention
from tunesmith.train.speedups.attention import use_kernel_for
from tunesmith.train.speedups.labelled_head import applies, labelled_loss, skip_adapter_input_casts
from tunesmith.train.speedups.lean_layers import use_lean_layers


class SpeedSFTTrainer(SFTTrainer):
    """An SFTTrainer whose loss scores only labelled positions on CPU (TRL's own fused head elsewhere)."""

    def __init__(self, *args, kernel_per_batch: bool = False, lean_layers: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kernel_per_batch = kernel_per_batch
        self._eager = "eager"
        if lean_layers and use_lean_layers(self.model):  # a Llama-family model: plain attention, lean eager fits
            self._eager = lean_attention.register()
        if self.args.bf16:
            skip_adapter_input_casts(self.model)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.kernel_per_batch:
            use_kernel_for(self.model, inputs["input_ids"].shape[-1], self._eager)
        if self.aux_loss_enabled:  # a MoE model's load-balancing loss: TRL's own loss adds and logs it
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
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
