"""Step time from FLOPs: the forward, backward and recompute FLOPs of a micro-batch ÷ the device's achieved
FLOP/s, plus the optimizer step.

Per token, a matmul with N weights costs 2N forward; backward costs 2N for the gradient of its input (needed in
every block backward runs through) and 2N for the gradient of its weight (only where the weight trains). So full
fine-tuning is ≈ 6N per token, a frozen base with small adapters ≈ 4N, and checkpointing adds the forward again
(2N) for the blocks it recomputes. Attention adds 4·s·d_attn per token and block forward (QKᵀ and AV), twice that
backward. The LM head costs 2·vocab·h per scored token forward, as much again for the hidden states' gradient, and
again for its weight's if it trains; tunesmith's CPU head and TRL's fused GPU head score labelled tokens only.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.advise.hardware import Device
from tunesmith.advise.plan import Batch, Setup
from tunesmith.advise.shape import ModelShape


@dataclass(frozen=True)
class Flops:
    """FLOPs of one micro-batch, by part, and the formula with its numbers."""

    forward: float
    backward: float
    recompute: float
    head: float
    formula: str

    @property
    def total(self) -> float:
        return self.forward + self.backward + self.recompute + self.head


def batch_flops(shape: ModelShape, setup: Setup, batch: Batch) -> Flops:
    """The FLOPs of one micro-batch (padding included: padded positions are computed too)."""
    length = batch.length + shape.virtual_tokens
    tokens = batch.rows * length
    layers, graph = shape.layers, shape.graph_layers
    dense = shape.layer_linear_params
    attention = 4 * length * shape.heads * shape.head_dim  # per token and block, forward
    adapter = sum(2 * a.rank * (a.in_features + a.out_features) for a in shape.adapters if a.kind != "ia3_out")
    forward_token = layers * (2 * dense + attention + adapter)
    trained = shape.trainable_linear_params
    backward_token = graph * (2 * dense + 2 * trained + 2 * attention + 2 * adapter)
    recompute_token = graph * (2 * dense + attention + adapter) if setup.checkpointing else 0
    scored = tokens if setup.loss_head == "full" else batch.labelled
    head_passes = 2 + (1 if shape.head_trains else 0) if graph else 1
    head = head_passes * 2 * shape.head_params * scored
    formula = (
        f"{tokens:,} tokens × [fwd {layers} × (2·{dense:,} + {attention:,} attn + {adapter:,} adapter)"
        f" + bwd {graph} × (2·{dense:,} + 2·{trained:,} trained + 2·{attention:,} + 2·{adapter:,})"
        + (f" + recompute {graph} × (2·{dense:,} + {attention:,} + {adapter:,})" if setup.checkpointing else "")
        + f"] + head {head_passes} × 2·{shape.head_params:,} × {scored:,} scored tokens"
    )
    return Flops(
        forward=tokens * forward_token,
        backward=tokens * backward_token,
        recompute=tokens * recompute_token,
        head=head,
        formula=formula,
    )


def step_seconds(flops_per_microbatch: float, accumulation: int, trainable: int, device: Device) -> float:
    """One optimizer step: its micro-batches' FLOPs ÷ achieved FLOP/s, plus AdamW over the trainable parameters."""
    compute = accumulation * flops_per_microbatch / device.flops_per_second
    return compute + trainable * device.optimizer_seconds_per_param
