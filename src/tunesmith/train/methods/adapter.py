"""Bottleneck adapters (Houlsby et al.): small trained blocks after each layer's attention and MLP; base frozen."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from tunesmith.config import MethodConfig

SETTINGS_FILE = "bottleneck_adapter.json"  # marks a trained adapter folder (weights beside it in model.safetensors)


class Config(MethodConfig):
    """Keys named as AdapterHub's bottleneck configs, so its docs still help."""

    name: Literal["adapter"] = "adapter"
    reduction_factor: int = Field(16, ge=1)  # bottleneck width = hidden size / reduction_factor
    non_linearity: Literal["relu", "gelu", "silu", "tanh"] = "silu"
    mh_adapter: bool = True  # an adapter after each attention block
    output_adapter: bool = True  # an adapter after each MLP block

    @model_validator(mode="after")
    def _somewhere(self) -> Config:
        if not (self.mh_adapter or self.output_adapter):
            raise ValueError("set mh_adapter and/or output_adapter to true, or there is nothing to train")
        return self


def apply(model, cfg: Config, plan=None):
    """Freeze `model`, add zero-initialised adapters, and wrap it so checkpoints save only the adapters."""
    from tunesmith.train.methods._bottleneck import BottleneckAdapterModel, add_adapters

    for param in model.parameters():
        param.requires_grad_(False)
    settings = {**cfg.model_dump(exclude={"name"}), "format": "tunesmith-bottleneck-adapter", "version": 1}
    add_adapters(model, settings)
    return BottleneckAdapterModel(model, settings)


def is_adapter_folder(folder: str | Path) -> bool:
    """Whether `folder` holds a trained bottleneck adapter (loaded by `_bottleneck.load_adapter`)."""
    return (Path(folder) / SETTINGS_FILE).is_file()
