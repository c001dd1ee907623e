"""Prefix tuning through PEFT: trained key/value prefixes on every attention layer, learned through an MLP."""

from __future__ import annotations

from tunesmith.config.methods import PrefixTuningConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config, model, projection: bool | None = None):
    """The PEFT `PrefixTuningConfig` (shared with `p_tuning_v2`, which turns the projection off)."""
    from peft import PrefixTuningConfig

    return PrefixTuningConfig(
        num_virtual_tokens=cfg.num_virtual_tokens,
        prefix_projection=cfg.prefix_projection if projection is None else projection,
        encoder_hidden_size=cfg.encoder_hidden_size or model.config.hidden_size,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with trainable attention prefixes; the saved adapter keeps only the projected prefixes."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg, model))


def checkpoints_reload(cfg: Config) -> bool:
    """With the projection, PEFT saves only the projected prefixes, which cannot go back into the MLP."""
    return not cfg.prefix_projection


def callbacks(model, cfg: Config, plan):
    """Stop a run that would reload a checkpoint (keep-best, resume) when the prefixes are projected."""
    from tunesmith.train.methods._no_reload import no_reload_guard

    return [] if checkpoints_reload(cfg) else [no_reload_guard("prefix_tuning")]


METHOD = Method(apply=apply, callbacks=callbacks, checkpoints_reload=checkpoints_reload)
