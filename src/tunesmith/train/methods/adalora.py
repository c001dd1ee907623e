"""AdaLoRA through PEFT: LoRA whose rank budget is re-allocated during training to the weights that matter most."""

from __future__ import annotations

from tunesmith.config.methods import AdaloraConfig as Config
from tunesmith.errors import InputError
from tunesmith.train.methods.base import Method, never_reloads

# PEFT saves AdaLoRA checkpoints at their pruned ranks, which do not fit back into the training model (still at
# init_r): keep-best and resume must be off.


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

    return wrap(model, peft_config(cfg, plan.total_steps))


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


METHOD = Method(apply=apply, callbacks=callbacks, checkpoints_reload=never_reloads)
