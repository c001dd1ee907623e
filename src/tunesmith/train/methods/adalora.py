"""AdaLoRA through PEFT: LoRA whose rank budget is re-allocated during training to the weights that matter most."""

from __future__ import annotations

from tunesmith.config.methods import AdaloraConfig as Config
from tunesmith.errors import InputError
from tunesmith.train.methods.base import Method

# PEFT saves AdaLoRA at its pruned ranks and without its rank allocator: loading that back would shrink the training
# model's adapters under its optimizer and restart the sensitivity averages. So each checkpoint also keeps the
# training state below (_resumable.py), and keep-best and resume load that instead.


def peft_config(cfg: Config, total_steps: int):
    """The PEFT `AdaLoraConfig`; `total_step` is the run's optimizer steps (the budget schedule spans them)."""
    from peft import AdaLoraConfig

    if cfg.tinit >= total_steps - cfg.tfinal:
        raise InputError(
            "method.tinit",
            f"tinit ({cfg.tinit}) + tfinal ({cfg.tfinal}) leave no rank-allocation phase in a {total_steps}-step run",
        )
    return AdaLoraConfig(
        init_r=cfg.init_r,
        target_r=cfg.target_r,
        tinit=cfg.tinit,
        tfinal=cfg.tfinal,
        deltaT=cfg.deltaT,
        beta1=cfg.beta1,
        beta2=cfg.beta2,
        orth_reg_weight=cfg.orth_reg_weight,
        total_step=total_steps,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=cfg.target_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan):
    """Wrap `model` with AdaLoRA adapters of rank `init_r`; training prunes them toward an average of `target_r`."""
    from tunesmith.train.methods._peft import wrap
    from tunesmith.train.methods._resumable import CheckpointState

    return wrap(
        model, peft_config(cfg, plan.total_steps), CheckpointState(save=training_state, load=load_training_state)
    )


def allocator_averages(model) -> dict[str, dict]:
    """The rank allocator's per-weight sensitivity state, by name. The one place that reads PEFT's private
    `RankAllocator` attributes (tests/train/test_resume_prefix_adalora.py fails if PEFT renames them)."""
    allocator = model.base_model.rankallocator
    return {"ipt": allocator.ipt, "exp_avg_ipt": allocator.exp_avg_ipt, "exp_avg_unc": allocator.exp_avg_unc}


def training_state(model) -> dict:
    """The trainable weights at full rank (pruned ranks are zeros there), the rank pattern and the allocator's state."""
    import torch

    state = {f"param/{n}": p for n, p in model.named_parameters() if p.requires_grad}
    for kind, values in allocator_averages(model).items():
        state.update({f"{kind}/{n}": t for n, t in values.items()})
    pattern = model.peft_config[model.active_adapter].rank_pattern or {}
    state.update({f"rank_pattern/{n}": torch.tensor(mask, dtype=torch.bool) for n, mask in pattern.items()})
    return state


def load_training_state(model, tensors: dict) -> None:
    """Put `training_state`'s tensors back: weights in place (the optimizer keeps them), allocator, rank pattern."""
    import torch

    parts: dict[str, dict] = {"param": {}, "ipt": {}, "exp_avg_ipt": {}, "exp_avg_unc": {}, "rank_pattern": {}}
    for key, tensor in tensors.items():
        kind, name = key.split("/", 1)
        parts[kind][name] = tensor
    params = {n: p for n, p in model.named_parameters() if p.requires_grad}
    if set(parts["param"]) != set(params):
        raise ValueError("the checkpoint's AdaLoRA training state does not match this model's adapters")
    with torch.no_grad():
        for name, tensor in parts["param"].items():
            params[name].copy_(tensor)
    device = next(iter(params.values())).device
    for kind, values in allocator_averages(model).items():
        values.clear()
        values.update({n: t.to(device) for n, t in parts[kind].items()})
    pattern = {n: mask.tolist() for n, mask in parts["rank_pattern"].items()}
    model.peft_config[model.active_adapter].rank_pattern = pattern or None


def callbacks(model, cfg: Config, plan):
    """The per-step rank allocation PEFT leaves to the training loop (transformers is imported only when training)."""
    from transformers import TrainerCallback

    class RankAllocation(TrainerCallback):
        """Call AdaLoRA's `update_and_allocate` after each optimizer step, while the gradients are still there.

        `on_optimizer_step` runs after `optimizer.step()` and before `zero_grad()`, the point PEFT's docs ask for;
        `state.global_step` is then the index of the step just taken (0-based), as in PEFT's own loop.
        """

        def on_optimizer_step(self, args, state, control, **kwargs):
            model.base_model.update_and_allocate(state.global_step)

    return [RankAllocation()]


METHOD = Method(apply=apply, callbacks=callbacks)
