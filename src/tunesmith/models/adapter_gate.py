"""A learned softmax gate over several frozen LoRA adapters on one base (method `xlora`): build, save, load.

X-LoRA's idea (Buehler & Buehler 2024: mix frozen LoRA experts with weights a small trained network predicts per
token), built in the open because PEFT 0.21.2's `XLoraModel` loses the trained gate when it saves (see
docs/mixtures.md). The adapters load through PEFT as usual, all active at once; a forward hook on each adapter's
`lora_B` multiplies its output by that adapter's gate weight, so each LoRA module adds Σᵢ gᵢ·sᵢ·Bᵢ·Aᵢ·x.
The gate reads the causal mean of the input embeddings up to each token (LayerNorm, then one linear layer and a
softmax): it sees only what came before, so training and cached generation compute the same weights. It starts at
zero, i.e. every adapter at weight 1/n.

A trained gate is a folder: `adapter_gate.json` (settings), `model.safetensors` (gate weights; the name lets
transformers' Trainer reload checkpoints) and `experts/<i>/`, a copy of each source adapter, so it stands alone.
"""

from __future__ import annotations

import json
import shutil
from functools import partial
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import PreTrainedModel

from tunesmith.errors import InputError

SETTINGS_FILE = "adapter_gate.json"  # marks a trained gate folder
WEIGHTS_FILE = "model.safetensors"
EXPERTS_DIR = "experts"
FORMAT = "tunesmith-adapter-gate"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


class Gate(torch.nn.Module):
    """softmax(W·LayerNorm(prefix-mean embedding) / T): one weight per adapter (per LoRA module when layerwise)."""

    def __init__(self, hidden_size: int, adapters: int, slots: int, temperature: float):
        super().__init__()
        self.adapters, self.slots, self.temperature = adapters, slots, temperature
        self.linear = torch.nn.Linear(hidden_size, slots * adapters)
        torch.nn.init.zeros_(self.linear.weight)  # zero logits: every adapter starts at weight 1/n
        torch.nn.init.zeros_(self.linear.bias)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """(batch, seq, hidden) features -> (batch, seq, slots, adapters) weights that sum to 1 over adapters."""
        normed = torch.nn.functional.layer_norm(features.to(self.linear.weight.dtype), features.shape[-1:])
        logits = self.linear(normed).unflatten(-1, (self.slots, self.adapters))
        return torch.softmax(logits / self.temperature, dim=-1)


class GateState:
    """The weights of the current forward pass, and the running embedding sums a cached generation carries on."""

    def __init__(self, adapters: int):
        self.adapters = adapters
        self.weights: torch.Tensor | None = None
        self.sums: torch.Tensor | None = None
        self.counts: torch.Tensor | None = None


def _prefix_mean(state: GateState, embeds: torch.Tensor, mask: torch.Tensor | None, cache) -> torch.Tensor:
    """Mean of the (unpadded) embeddings up to each position. A pass whose KV cache already holds tokens is a
    generation's next step: it continues the sums the previous pass left; any other pass starts afresh."""
    new = embeds.shape[1]
    mask = torch.ones(embeds.shape[:2], device=embeds.device) if mask is None else mask[:, -new:]
    mask = mask.to(embeds.dtype).unsqueeze(-1)
    sums = torch.cumsum(embeds * mask, dim=1)
    counts = torch.cumsum(mask, dim=1)
    if cache is not None and cache.get_seq_length() > 0:
        if state.sums is None or state.sums.shape[0] != embeds.shape[0]:
            raise ValueError("the adapter gate lost its running sums: generation continued a cache it did not start")
        sums, counts = sums + state.sums.unsqueeze(1), counts + state.counts.unsqueeze(1)
    state.sums, state.counts = sums[:, -1].detach(), counts[:, -1].detach()
    return sums / counts.clamp(min=1)


def _set_weights(gate: Gate, state: GateState, backbone, args, kwargs):
    """Forward pre-hook on the backbone: the gate weights for this pass, from its input tokens (or embeddings).
    transformers 5.25 calls the KV cache `cache`; earlier versions `past_key_values`."""
    embeds = kwargs.get("inputs_embeds")
    if embeds is None:
        input_ids = kwargs.get("input_ids", args[0] if args else None)
        embeds = backbone.get_input_embeddings()(input_ids)
    cache = kwargs.get("cache", kwargs.get("past_key_values"))
    embeds = embeds.detach().float()  # sums over hundreds of tokens: in float32, whatever the model's dtype
    state.weights = gate(_prefix_mean(state, embeds, kwargs.get("attention_mask"), cache))


def _scale_output(state: GateState, slot: int, index: int, module, args, output):
    """Forward hook on one adapter's `lora_B`: its output times that adapter's gate weight at each token. A module
    run on its own, before any whole-model pass (a speed-up's self-check), gets the gate's starting weight 1/n."""
    if state.weights is None:
        return output / state.adapters
    weights = state.weights[:, :, slot, index]  # (batch, seq)
    if weights.shape != output.shape[:2]:
        raise ValueError(f"adapter gate weights for {tuple(weights.shape)} tokens, but a LoRA output of {output.shape}")
    return output * weights.reshape(*weights.shape, *([1] * (output.dim() - 2))).to(output.dtype)


def lora_modules(peft_model, names: list[str]) -> list:
    """(LoRA layer, the `names` it holds) for every layer holding any; a layer kind we cannot gate is refused.

    The one place that relies on PEFT's layout (`lora_B[name]` applied once per forward as `B(A(x)) * scaling`);
    tests/train/test_xlora.py checks that a one-hot gate gives exactly that adapter alone."""
    from peft.tuners.lora import Linear, LoraLayer

    found = []
    for name, module in peft_model.named_modules():
        if not isinstance(module, LoraLayer):
            continue
        held = [n for n in names if n in module.lora_A or n in getattr(module, "lora_embedding_A", {})]
        if held and (type(module) is not Linear or any(n in module.lora_variant for n in held)):
            raise InputError(name, f"a {type(module).__name__} LoRA layer; the gate mixes plain LoRA on linear layers")
        if held:
            found.append((module, held))
    return found


def attach_gate(base, adapters: list[Path], settings: dict):
    """`base` with every adapter folder loaded through PEFT (named "0", "1", …), all frozen and active, and a new
    gate (the PeftModel's `adapter_gate`) mixing them; returns the PeftModel."""
    from peft import PeftModel

    names = [str(i) for i in range(len(adapters))]
    model = PeftModel.from_pretrained(base, str(adapters[0]), adapter_name=names[0])
    for name, folder in zip(names[1:], adapters[1:]):
        model.load_adapter(str(folder), adapter_name=name)
    model.base_model.set_adapter(names)
    for param in model.parameters():
        param.requires_grad_(False)
    layers = lora_modules(model, names)
    slots = len(layers) if settings["layerwise"] else 1
    gate = Gate(base.config.hidden_size, len(names), slots, settings["temperature"])
    model.add_module("adapter_gate", gate.to(next(base.parameters()).device))
    state = GateState(len(names))
    gate.state = state  # readable: the last pass's weights (reports show what the gate chose)
    backbone = model.get_base_model().base_model  # e.g. LlamaModel: every forward path (TRL's fused head too) runs it
    backbone.register_forward_pre_hook(partial(_set_weights, gate, state), with_kwargs=True)
    for slot, (module, held) in enumerate(layers):
        for name in held:
            hook = partial(_scale_output, state, slot if slots > 1 else 0, int(name))
            module.lora_B[name].register_forward_hook(hook)
    return model


def save_gate(peft_model, settings: dict, experts: list[Path], folder: str | Path) -> None:
    """Write the settings, the gate's weights and a copy of each adapter folder in `experts` into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    weights = {k: v.detach().cpu().contiguous() for k, v in peft_model.adapter_gate.state_dict().items()}
    save_file(weights, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
    for i, source in enumerate(experts):
        expert = folder / EXPERTS_DIR / str(i)
        if expert.resolve() == Path(source).resolve():
            continue  # saving again where it was loaded from
        expert.mkdir(parents=True, exist_ok=True)
        for name in ADAPTER_FILES:
            shutil.copyfile(Path(source) / name, expert / name)


def load_gate(base, folder: str | Path):
    """The PeftModel for a saved gate folder: its copied adapters on `base`, with the trained gate."""
    folder = Path(folder)
    settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    experts = [folder / EXPERTS_DIR / str(i) for i in range(len(settings["sources"]))]
    model = attach_gate(base, experts, settings)
    weights = load_file(str(folder / WEIGHTS_FILE))
    if set(weights) != set(model.adapter_gate.state_dict()) or any(
        weights[k].shape != v.shape for k, v in model.adapter_gate.state_dict().items()
    ):
        raise InputError(str(folder), "gate weights do not fit its adapters on this base model")
    model.adapter_gate.load_state_dict(weights)
    return model


def is_gate_folder(folder: str | Path) -> bool:
    """Whether `folder` holds a trained adapter gate (loaded by `load_gate`)."""
    return (Path(folder) / SETTINGS_FILE).is_file()


class AdapterGateModel(PreTrainedModel):
    """Training-time view of the gated PeftModel: computes as it, but saves only the gate folder.

    transformers' Trainer saves a `PreTrainedModel` with its `save_pretrained` and reloads `model.safetensors` with
    `load_state_dict`, so this thin wrapper is how the gate (not PEFT's adapter copy) lands in checkpoints and `final/`.
    """

    supports_gradient_checkpointing = True
    _supports_sdpa = True
    _supports_flash_attn = True
    _supports_flex_attn = True

    def __init__(self, peft_model, settings: dict, experts: list[Path]):
        super().__init__(peft_model.get_base_model().config)
        self.model = peft_model
        self.settings = settings
        self.experts = experts
        self.generation_config = peft_model.get_base_model().generation_config

    def forward(self, *args, **kwargs):
        return self.model(*args, **kwargs)

    @property
    def base_model(self):  # the backbone (e.g. LlamaModel): TRL's fused-loss forward runs it, then the LM head
        return self.model.get_base_model().base_model

    def get_input_embeddings(self):
        return self.model.get_input_embeddings()

    def get_output_embeddings(self):
        return self.model.get_base_model().get_output_embeddings()

    def activation_checkpointing_enable(self, **kwargs):
        self.model.get_base_model().activation_checkpointing_enable(**kwargs)
        self.model.enable_input_require_grads()  # embeddings are frozen; checkpointed layers still need a grad path

    def generate(self, *args, **kwargs):
        return self.model.generate(*args, **kwargs)

    def save_pretrained(self, save_directory, is_main_process: bool = True, **kwargs):
        if is_main_process:
            save_gate(self.model, self.settings, self.experts, save_directory)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Load gate weights (what checkpoints hold) — resume and best-model use this."""
        return self.model.adapter_gate.load_state_dict(state_dict, strict=strict, assign=assign)
