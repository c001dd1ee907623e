"""Method `xlora`: train a softmax gate over several finished LoRA runs' frozen adapters on one base.

X-LoRA-style (a learned mixture of LoRA experts), built in the open in `tunesmith.models.adapter_gate` because
PEFT 0.21.2's `XLoraModel` drops the trained gate when it saves (docs/mixtures.md says how). The run's `final/`
is a gate folder that eval, chat and serve load like any adapter run.
"""

from __future__ import annotations

from pathlib import Path

from tunesmith.config.methods import XloraConfig as Config
from tunesmith.errors import InputError
from tunesmith.train.methods.base import Method

FORMAT_VERSION = 1


def sources(cfg: Config):
    """The source runs as checked Sources: finished plain-LoRA runs for a causal LM on one base, one tokenizer."""
    from tunesmith.export.combine_sources import check_sources

    return check_sources(cfg.adapters)


def preflight(cfg: Config) -> None:
    """Refuse a missing, unfinished, non-LoRA or mismatched source run before anything loads."""
    sources(cfg)


def apply(model, cfg: Config, plan=None):
    """`model` with every source adapter loaded frozen and a new gate mixing them; only the gate trains."""
    from tunesmith.models.adapter_gate import FORMAT, AdapterGateModel, attach_gate

    found = sources(cfg)
    _check_base(model, found)
    settings = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "layerwise": cfg.layerwise,
        "temperature": cfg.temperature,
        "sources": [{"label": s.label, "run": str(Path(s.run).absolute())} for s in found],
    }
    adapters = [s.adapter for s in found]
    return AdapterGateModel(attach_gate(model, adapters, settings), settings, adapters)


def _check_base(model, found) -> None:
    """The recipe's model must be the base every source adapter was trained on."""
    loaded = Path(model.name_or_path).resolve()
    for source in found:
        if Path(source.base).resolve() != loaded:
            raise InputError(
                str(source.run),
                f"trained on base '{source.recipe.model}' ({source.base}), but this recipe's model is "
                f"{model.name_or_path}; the gate mixes adapters on the base they were trained on",
            )


METHOD = Method(apply=apply, preflight=preflight)
