"""L2-SP: keep the trainable weights near where they started, a defence against forgetting.

Applied decoupled, like AdamW's weight decay but toward the starting point instead of zero: after every
optimizer step, θ ← θ − lr · l2sp · (θ − θ₀), with each parameter group's current learning rate. Adding the
penalty to the loss instead would let Adam rescale it per weight, which weakens it exactly where gradients
are large.
"""

from __future__ import annotations

from transformers import TrainerCallback


class PullToStart(TrainerCallback):
    """After each optimizer step, move every trainable weight a little back toward its starting value."""

    def __init__(self, model, strength: float):
        self.strength = strength
        self.start = {id(p): p.detach().clone() for p in model.parameters() if p.requires_grad}

    def on_optimizer_step(self, args, state, control, optimizer=None, **kwargs):
        import torch

        with torch.no_grad():
            for group in optimizer.param_groups:
                rate = group["lr"] * self.strength
                for param in group["params"]:
                    start = self.start.get(id(param))
                    if start is not None:
                        param.sub_(param - start, alpha=rate)
