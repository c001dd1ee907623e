"""Prefix tuning through PEFT: trained key/value prefixes on every attention layer, learned through an MLP.

The prefixes start as a real text's keys and values (`init_text`, _prefix_init.py), as Li & Liang do, not as
PEFT's N(0, 1) draw. Checkpoints also keep the MLP's own weights (_resumable.py), so keep-best and resume work.
"""

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


def wrap_prefixes(model, config, init_text: str | None):
    """`model` with PEFT prefixes per `config`, started from `init_text`'s keys and values (None: PEFT's draw)."""
    from tunesmith.train.methods._peft import wrap
    from tunesmith.train.methods._resumable import ENCODER_STATE

    peft_model = wrap(model, config, ENCODER_STATE if config.prefix_projection else None)
    # a model without weights (advise builds one on the meta device to count parameters) keeps PEFT's start
    if init_text is not None and peft_model.get_base_model().device.type != "meta":
        from tunesmith.models.loading import load_tokenizer
        from tunesmith.train.methods._prefix_init import init_from_text

        init_from_text(peft_model, load_tokenizer(peft_model.get_base_model().name_or_path), init_text)
    return peft_model


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with trainable attention prefixes; the saved adapter keeps only the projected prefixes."""
    return wrap_prefixes(model, peft_config(cfg, model), cfg.init_text)


METHOD = Method(apply=apply)
