"""LoRA through PEFT, with its DoRA, rsLoRA, PiSSA/OLoRA-initialised and LoRA+ variants."""

from __future__ import annotations

from tunesmith.config.methods import LoraConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config, model=None):
    """The PEFT `LoraConfig` for these recipe keys (names kept as PEFT's, `alpha` → `lora_alpha`).

    With `moe` the targets come from `model`'s layout instead (train/moe.py): attention modules, the experts' 3-D
    weights as `target_parameters`, a trainable router in `modules_to_save`."""
    from peft import LoraConfig

    targets = {"target_modules": cfg.target_modules, "modules_to_save": cfg.modules_to_save}
    if cfg.moe is not None:
        from tunesmith.train.moe import lora_targets

        if model is None:
            raise ValueError("LoRA with moe settings needs the model to find its experts")
        found = lora_targets(model, cfg.moe, cfg.modules_to_save)
        targets = {**vars(found)}
    return LoraConfig(
        r=cfg.r,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        use_dora=cfg.use_dora,
        use_rslora=cfg.use_rslora,
        init_lora_weights=cfg.init_lora_weights,
        task_type="CAUSAL_LM",
        **targets,
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with LoRA adapters; only the adapters (and `modules_to_save`) train.

    PiSSA and OLoRA move the top singular directions of each weight into the adapter and train from there; PEFT
    redoes that split from the base weights when the adapter is loaded back, so the saved adapter needs the same base.
    """
    from tunesmith.train.methods._peft import wrap

    config = peft_config(cfg, model)  # with moe: refuses a model without experts
    if cfg.moe is None:
        return wrap(model, config)
    from tunesmith.train.moe import check_adapted, set_aux_loss_coef

    set_aux_loss_coef(model, cfg.moe.aux_loss_coef)  # TRL's trainers add the aux loss at this weight
    model = wrap(model, config)
    check_adapted(model, cfg.moe)
    return model


def optimizer(model, cfg: Config, plan):
    """LoRA+: AdamW where every `lora_B` matrix learns `loraplus_lr_ratio` times faster than `lora_A`; else None."""
    if cfg.loraplus_lr_ratio is None:
        return None
    import torch

    return loraplus(model, torch.optim.AdamW, cfg, plan)


def loraplus(model, optimizer_class, cfg: Config, plan):
    """PEFT's LoRA+ optimizer of `optimizer_class` (B matrices at `loraplus_lr_ratio` times the rate)."""
    from peft.optimizers import create_loraplus_optimizer

    return create_loraplus_optimizer(
        model,
        optimizer_class,
        lr=plan.learning_rate,
        loraplus_lr_ratio=cfg.loraplus_lr_ratio,
        loraplus_weight_decay=plan.weight_decay,
    )


METHOD = Method(apply=apply, optimizer=optimizer)
