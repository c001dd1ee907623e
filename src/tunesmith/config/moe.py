"""The LoRA method's `moe:` keys: where the adapters go on a mixture-of-experts model, and what the router does.

Only what a recipe may say lives here; finding the experts, the router and the attention in a loaded model is
`tunesmith/train/moe.py`. PEFT's LoRA reaches transformers' fused experts (3-D `nn.Parameter`s, not `nn.Linear`)
through `target_parameters` (its `ParamWrapper`), which takes no dropout and no DoRA: those are refused here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tunesmith.config.section import Section


class MoeConfig(Section):
    """Mixture-of-experts settings of a LoRA run (transformers' Mixtral-, Qwen-MoE-, DeepSeek-V3-style models)."""

    lora_on: Literal["attention", "experts", "both"] = "both"
    """Where LoRA goes: the attention projections, the routed experts' weights (a low-rank update per expert), or
    both. With experts, dropout is 0 unless set (PEFT's expert LoRA takes none; setting it above 0 is refused)."""
    router: Literal["frozen", "trainable"] = "frozen"
    """The router (gate) choosing each token's experts: frozen, or trained in full and saved with the adapter."""
    aux_loss_coef: float | None = Field(None, ge=0)
    """Weight of the router's load-balancing loss added to the training loss; None: the model config's
    `router_aux_loss_coef`; 0: off (expert load is still recorded)."""

    @property
    def on_experts(self) -> bool:
        """Whether LoRA goes on the experts."""
        return self.lora_on in ("experts", "both")

    @property
    def on_attention(self) -> bool:
        """Whether LoRA goes on the attention projections."""
        return self.lora_on in ("attention", "both")


def moe_dropout(data: Any) -> Any:
    """Raw LoRA keys with `dropout: 0` filled in when `moe` puts LoRA on the experts and dropout is not set."""
    if not isinstance(data, dict) or "dropout" in data or data.get("moe") is None:
        return data
    moe = data["moe"]
    lora_on = moe.get("lora_on", "both") if isinstance(moe, dict) else getattr(moe, "lora_on", "both")
    return {**data, "dropout": 0.0} if lora_on in ("experts", "both") else data


def moe_problem(cfg: Any) -> str:
    """Why LoRA config `cfg` (with `cfg.moe` set) cannot run: PEFT cannot do it, or its keys contradict; '' if fine."""
    moe: MoeConfig = cfg.moe
    if cfg.name != "lora":
        return f"moe is for method lora; {cfg.name} does not take it yet (its 4-bit base is untested with experts)"
    if cfg.target_modules != "all-linear":  # the default (what a run's recipe.yaml writes back) is left alone
        return "moe.lora_on picks the target modules on a mixture-of-experts model; remove target_modules"
    if not moe.on_experts:
        return ""
    if cfg.use_dora:
        return (
            "DoRA cannot go on the experts (PEFT's LoRA for expert parameters has no DoRA); set moe.lora_on: attention"
        )
    if cfg.dropout > 0:
        return "LoRA on the experts takes no dropout (PEFT's expert LoRA cannot apply it); set dropout: 0"
    if cfg.init_lora_weights in ("pissa", "olora"):
        return (
            f"init_lora_weights {cfg.init_lora_weights} needs 2-D weights; the experts' are 3-D; use true or gaussian"
        )
    return ""
