"""Houlsby-style bottleneck adapters for transformers 5 causal LMs: add, save, load (no maintained library fits).

AdapterHub's `adapters` package pins transformers 4.x and PEFT has no bottleneck adapters, so this is our own,
small, in the open: each decoder layer gets a `down → activation → up` block (plus a residual) on the output of its
attention and of its MLP, before the layer adds them back to the stream. `up` starts at zero, so training starts from
the base model's exact behaviour. The adapters live as child modules of each layer (`adapter_attn`, `adapter_mlp`)
and join the computation through forward hooks on `self_attn` / `mlp`, so the base weights keep their names.

A trained adapter is a folder: `bottleneck_adapter.json` (settings) + `model.safetensors` (adapter weights only,
named as in the base model; the name lets transformers' Trainer reload checkpoints for resume and best-model).
Bottleneck adapters add layers, so they cannot be merged into the base weights.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import PreTrainedModel

from tunesmith.errors import InputError
from tunesmith.models.layers import decoder_layers

SETTINGS_FILE = "bottleneck_adapter.json"  # marks a trained adapter folder (weights beside it in model.safetensors)

WEIGHTS_FILE = "model.safetensors"
SITES = {"adapter_attn": "self_attn", "adapter_mlp": "mlp"}  # adapter child name -> the sub-layer it follows
ACTIVATIONS = {"relu": torch.nn.ReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU, "tanh": torch.nn.Tanh}


class Bottleneck(torch.nn.Module):
    """h + up(act(down(h))): a residual bottleneck whose `up` projection starts at zero."""

    def __init__(self, hidden_size: int, bottleneck_size: int, non_linearity: str):
        super().__init__()
        self.down = torch.nn.Linear(hidden_size, bottleneck_size)
        self.act = ACTIVATIONS[non_linearity]()
        self.up = torch.nn.Linear(bottleneck_size, hidden_size)
        torch.nn.init.zeros_(self.up.weight)
        torch.nn.init.zeros_(self.up.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden + self.up(self.act(self.down(hidden)))


def _after_sublayer(adapter, module, args, output):
    """Forward hook: pass the sub-layer's output (first element when it returns a tuple) through its adapter."""
    if isinstance(output, tuple):
        return (adapter(output[0]), *output[1:])
    return adapter(output)


def add_adapters(model, settings: dict) -> list[str]:
    """Insert adapters per `settings` into every decoder layer of `model`; returns the parameter-name prefixes."""
    hidden = model.config.hidden_size
    size = max(1, hidden // settings["reduction_factor"])
    wanted = {"adapter_attn": settings["mh_adapter"], "adapter_mlp": settings["output_adapter"]}
    prefixes = []
    for layer_name, layer in _named_layers(model):
        for child, site in SITES.items():
            if not wanted[child]:
                continue
            sublayer = getattr(layer, site, None)
            if sublayer is None:
                raise InputError(
                    "method", f"decoder layer '{layer_name}' has no '{site}' module to put an adapter after"
                )
            adapter = Bottleneck(hidden, size, settings["non_linearity"]).to(**_dtype_device(sublayer))
            layer.add_module(child, adapter)
            sublayer.register_forward_hook(partial(_after_sublayer, adapter))
            prefixes.append(f"{layer_name}.{child}.")
    return prefixes


def adapter_state_dict(model) -> dict[str, torch.Tensor]:
    """The adapter weights only, named as in `model`."""
    return {
        name: param.detach().cpu().contiguous()
        for name, param in model.named_parameters()
        if any(f".{child}." in name for child in SITES)
    }


def save_adapter(model, settings: dict, folder: str | Path) -> None:
    """Write the settings and adapter weights into `folder` (the caller makes the folder atomic)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    save_file(adapter_state_dict(model), str(folder / WEIGHTS_FILE), metadata={"format": "pt"})


def read_settings(folder: str | Path) -> dict:
    return json.loads((Path(folder) / SETTINGS_FILE).read_text(encoding="utf-8"))


def load_adapter(model, folder: str | Path):
    """Add the adapters saved in `folder` to `model` (in place) with their trained weights; returns `model`."""
    add_adapters(model, read_settings(folder))
    weights = load_file(str(Path(folder) / WEIGHTS_FILE))
    expected = set(adapter_state_dict(model))
    if set(weights) != expected:
        raise InputError(
            str(folder), "adapter weights do not fit this base model's layers (was it trained on another?)"
        )
    model.load_state_dict(weights, strict=False)
    return model


class BottleneckAdapterModel(PreTrainedModel):
    """Training-time view of a model with adapters: computes as the model, but saves only the adapter folder.

    transformers' Trainer saves a `PreTrainedModel` with its `save_pretrained`, so this thin wrapper is how the adapter
    folder (not a whole model copy) lands in checkpoints and in the run's `final/`. It shares the inner model's config.
    """

    supports_gradient_checkpointing = True
    _supports_sdpa = True
    _supports_flash_attn = True
    _supports_flex_attn = True

    def __init__(self, model, settings: dict):
        super().__init__(model.config)
        self.model = model
        self.settings = settings
        self.generation_config = model.generation_config

    def forward(self, *args, **kwargs):
        return self.model(*args, **kwargs)

    @property
    def base_model(self):  # the backbone (e.g. LlamaModel): TRL's fused-loss forward runs it, then the LM head
        return self.model.base_model

    def get_input_embeddings(self):
        return self.model.get_input_embeddings()

    def get_output_embeddings(self):
        return self.model.get_output_embeddings()

    def activation_checkpointing_enable(self, **kwargs):
        self.model.activation_checkpointing_enable(**kwargs)
        self.model.enable_input_require_grads()  # embeddings are frozen; checkpointed layers still need a grad path

    def save_pretrained(self, save_directory, is_main_process: bool = True, **kwargs):
        if is_main_process:
            save_adapter(self.model, self.settings, save_directory)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Load adapter weights named as in the inner model (what checkpoints hold) — resume and best-model use this."""
        result = self.model.load_state_dict(state_dict, strict=False, assign=assign)
        missing = [k for k in result.missing_keys if k in adapter_state_dict(self.model)]  # base weights: by design
        return type(result)(missing, result.unexpected_keys)


def _named_layers(model):
    layers = decoder_layers(model)
    prefix = next(name for name, module in model.named_modules() if module is layers)
    return [(f"{prefix}.{i}", layer) for i, layer in enumerate(layers)]


def _dtype_device(module) -> dict:
    param = next(module.parameters())
    return {"dtype": param.dtype if param.is_floating_point() else torch.float32, "device": param.device}


def is_adapter_folder(folder: str | Path) -> bool:
    """Whether `folder` holds a trained bottleneck adapter (loaded by `load_adapter`)."""
    return (Path(folder) / SETTINGS_FILE).is_file()
