"""Where the experts, routers and attention are in a transformers mixture-of-experts model, and LoRA targets for them.

transformers 5 fuses each layer's routed experts into one module holding 3-D weights (`experts.gate_up_proj`,
`experts.down_proj`: experts × out × in) beside a router module (`gate`) whose weight has a row per expert; PEFT
reaches those weights with `target_parameters`, the router with `modules_to_save`, the attention with
`target_modules`. The layout is found from the modules' shapes, not from class names, so any architecture built
that way (Mixtral, Qwen2/3-MoE, OLMoE, DeepSeek-V3, …) works; a model without such layers is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunesmith.config.moe import MoeConfig
from tunesmith.errors import InputError


@dataclass(frozen=True)
class MoeLayer:
    """One sparse MoE block: its name, its routed-experts and router module names, and its number of experts."""

    block: str  # e.g. model.layers.0.mlp
    experts: str  # e.g. model.layers.0.mlp.experts (holds the 3-D weights)
    router: str  # e.g. model.layers.0.mlp.gate
    num_experts: int
    expert_weights: tuple[str, ...]  # the 3-D parameters' names on the experts module, e.g. gate_up_proj, down_proj


def plain_name(name: str) -> str:
    """A module name with PEFT's wrapping taken out (`base_model.model.` prefix, `.base_layer` steps)."""
    name = name.removeprefix("base_model.model.")
    return re.sub(r"(\.base_layer)+(?=\.|$)", "", name)


def moe_layers(model) -> list[MoeLayer]:
    """Every sparse MoE block of `model` (wrapped by PEFT or not), in order; [] for a dense model."""
    modules = dict(model.named_modules())
    found: dict[str, MoeLayer] = {}
    for name, module in modules.items():
        weights = {n: p for n, p in module.named_parameters(recurse=False) if p.dim() == 3}
        if not weights or "weight" in weights or "." not in name:
            continue  # fused experts name their weights (gate_up_proj, down_proj); a convolution's is `weight`
        experts = plain_name(name)
        block, _, own = experts.rpartition(".")
        num = next(iter(weights.values())).shape[0]
        router = _router_of(modules, name, own, num)
        if router is not None and experts not in found:
            found[experts] = MoeLayer(block, experts, router, num, tuple(sorted(weights)))
    return list(found.values())


def _router_of(modules: dict, experts_name: str, own: str, num: int) -> str | None:
    """The sibling of the experts module whose weight has one row per expert (the router), by its plain name."""
    parent_name = re.sub(r"(\.base_layer)+$", "", experts_name).rpartition(".")[0]
    parent = modules.get(parent_name)
    if parent is None:
        return None
    for child_name, child in parent.named_children():
        if child_name == own:
            continue
        weight = getattr(child, "weight", None)
        original = getattr(child, "original_module", None)  # a router trained through PEFT's modules_to_save
        if weight is None and original is not None:
            weight = getattr(original, "weight", None)
        if weight is not None and weight.dim() == 2 and weight.shape[0] == num:
            return plain_name(f"{parent_name}.{child_name}")
    return None


def require_moe(model, key: str = "method.moe") -> list[MoeLayer]:
    """The model's MoE blocks; an InputError naming the model when it has none (a dense model)."""
    layers = moe_layers(model)
    if not layers:
        name = getattr(model.config, "_name_or_path", "") or type(model).__name__
        raise InputError(
            key,
            f"model '{name}' ({type(model).__name__}) has no expert layers (no routed experts beside a router); "
            "moe settings are for mixture-of-experts models: remove method.moe",
        )
    return layers


def attention_targets(model) -> list[str]:
    """Plain names of the `nn.Linear` projections inside each decoder layer's `self_attn`."""
    import torch

    names = [plain_name(n) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    return sorted({n for n in names if ".self_attn." in n and ".lora_" not in n})


@dataclass(frozen=True)
class LoraTargets:
    """What PEFT's `LoraConfig` gets for a MoE model: module regex, expert parameters, modules trained in full."""

    target_modules: str | list[str]
    target_parameters: list[str] | None
    modules_to_save: list[str] | None


def suffix_regex(names: list[str], depth: int = 2) -> str:
    """A regex (PEFT full-matches it against module names) for the last `depth` parts of each of `names`."""
    tails = sorted({re.escape(".".join(n.split(".")[-depth:])) for n in names})
    return rf".*\.(?:{'|'.join(tails)})"


def lora_targets(model, moe: MoeConfig, extra_to_save: list[str] | None) -> LoraTargets:
    """The PEFT targets for `moe` on `model`: attention projections, the routed experts' 3-D weights, the routers in
    full when trainable. Refuses a dense model and a model with nothing to adapt.

    Shared experts and dense MLP layers are left alone: for Mixtral- and DeepSeek-style model types PEFT 0.21 reads
    `gate_proj`/`up_proj`/`down_proj` targets as transformers-4 expert names and moves them onto the routed experts
    (`peft.utils.transformers_weight_conversion`), so they cannot be targeted by name there."""
    layers = require_moe(model)
    modules = attention_targets(model) if moe.on_attention else []
    if moe.on_attention and not modules:
        raise InputError("method.moe.lora_on", "found no attention projections (nn.Linear under self_attn) to adapt")
    parameters = None
    if moe.on_experts:
        tails = {f"{layer.experts.rpartition('.')[2]}.{w}" for layer in layers for w in layer.expert_weights}
        parents = {layer.block.rpartition(".")[2] for layer in layers}
        parameters = sorted(f"{p}.{t}" for p in parents for t in tails)
    save = list(extra_to_save or [])
    if moe.router == "trainable":
        save += sorted({"." + ".".join(layer.router.split(".")[-2:]) for layer in layers})
    return LoraTargets(suffix_regex(modules) if modules else [], parameters, save or None)


def check_adapted(model, moe: MoeConfig) -> None:
    """Fail loudly if PEFT put LoRA anywhere but where `moe` says (PEFT rewrites some MoE targets on its own)."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    adapted = {plain_name(n) for n, m in model.named_modules() if isinstance(m, BaseTunerLayer)}
    wanted = set(attention_targets(model)) if moe.on_attention else set()
    wanted |= {layer.experts for layer in moe_layers(model)} if moe.on_experts else set()
    if adapted != wanted:
        extra, missing = sorted(adapted - wanted)[:3], sorted(wanted - adapted)[:3]
        raise RuntimeError(f"PEFT adapted {extra} and not {missing}, against method.moe.lora_on={moe.lora_on}")


def set_aux_loss_coef(model, coef: float | None) -> float:
    """Set the model config's load-balancing weight (TRL's trainers read it there); the weight in force.

    Refuses a positive weight on an architecture whose model has no auxiliary loss (DeepSeek-V3 balances its
    experts with a routing bias instead)."""
    config = model.config.get_text_config()
    has_aux = hasattr(config, "router_aux_loss_coef") and hasattr(config, "output_router_logits")
    if coef is None:
        return float(getattr(config, "router_aux_loss_coef", 0.0) or 0.0) if has_aux else 0.0
    if not has_aux and coef > 0:
        raise InputError(
            "method.moe.aux_loss_coef",
            f"{type(model).__name__} has no auxiliary load-balancing loss to weight; leave aux_loss_coef unset",
        )
    if has_aux:
        config.router_aux_loss_coef = coef
    return coef


def routed_experts(args: tuple, kwargs: dict):
    """The expert indices (tokens × top-k) a routed-experts module was called with, or None.

    transformers' fused experts are called as `experts(hidden_states, top_k_index, top_k_weights)` (Mixtral,
    Qwen-MoE, DeepSeek-V3, OLMoE in 5.x). That call signature is library-internal: this is the one place that reads
    it, and tests/train/test_moe_layout.py fails loudly when it changes."""
    index = kwargs.get("top_k_index", args[1] if len(args) > 1 else None)
    if index is None or getattr(index, "dim", lambda: 0)() != 2 or index.is_floating_point():
        return None
    return index
