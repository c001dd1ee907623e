"""The recipe's `method:` section: one config class per fine-tuning method, chosen by its `name`.

Keys keep PEFT's names (a LoRA `r` stays `r`), so PEFT's docs still help. The behaviour of each method lives in
`tunesmith/train/methods/<name>.py`; here is only what a recipe may say, so a recipe validates without loading
any training code. `MethodConfig` is the union of them all, told apart by `name` (pydantic's discriminated union).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union, get_args

from pydantic import Field, field_validator, model_validator

from tunesmith.config.moe import MoeConfig, moe_dropout, moe_problem
from tunesmith.config.section import Section

# PEFT initialisations that need no data or extra config and reload exactly: PEFT redoes PiSSA's / OLoRA's split of
# the base weights when it loads the adapter, so only the deterministic ones are offered (no `pissa_niter_N`).
INIT_CHOICES = ("gaussian", "orthogonal", "pissa", "olora")

# Prefix tuning's and P-tuning v2's default start: a plain instruction-like text, task-agnostic; its keys and values
# in the frozen model are a prefix the model already knows how to attend to (train/methods/_prefix_init.py).
PREFIX_INIT_TEXT = (
    "Read the request below carefully and answer it exactly as asked, in the format it asks for, and nothing more."
)


class MethodBase(Section):
    """Base of every method's keys: `name` picks the method."""

    name: str
    """The method: picks which of the keys below apply."""


class AdaloraConfig(MethodBase):
    name: Literal["adalora"] = "adalora"
    """The method: picks which of the keys below apply."""
    init_r: int = Field(12, ge=1)
    """The rank every module starts with."""
    target_r: int = Field(8, ge=1)
    """The average rank AdaLoRA prunes down to."""
    tinit: int = Field(0, ge=0)
    """Steps of warmup before ranks are pruned."""
    tfinal: int = Field(0, ge=0)
    """Steps at the end with the ranks fixed."""
    deltaT: int = Field(1, ge=1)  # noqa: N815 - PEFT's name
    """Steps between two rank reallocations."""
    beta1: float = Field(0.85, gt=0, lt=1)
    """EMA factor of the sensitivity smoothing."""
    beta2: float = Field(0.85, gt=0, lt=1)
    """EMA factor of the uncertainty quantification."""
    orth_reg_weight: float = Field(0.5, ge=0)
    """Weight of the orthogonality regulariser on P and Q."""
    alpha: int = Field(32, ge=1)
    """Scaling numerator: the update is scaled by alpha / r."""
    dropout: float = Field(0.05, ge=0, lt=1)
    """Dropout on the adapter's input."""
    target_modules: str | list[str] = "all-linear"
    """Module names (or a regex, or all-linear) to adapt."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""


class AdapterConfig(MethodBase):
    """Keys named as AdapterHub's bottleneck configs, so its docs still help."""

    name: Literal["adapter"] = "adapter"
    """The method: picks which of the keys below apply."""
    reduction_factor: int = Field(16, ge=1)
    """How much narrower the bottleneck is than the hidden size; bottleneck width = hidden size / reduction_factor."""
    non_linearity: Literal["relu", "gelu", "silu", "tanh"] = "silu"
    """Activation inside the bottleneck."""
    mh_adapter: bool = True
    """An adapter after each attention block."""
    output_adapter: bool = True
    """An adapter after each MLP block."""

    @model_validator(mode="after")
    def _somewhere(self) -> AdapterConfig:
        if not (self.mh_adapter or self.output_adapter):
            raise ValueError("set mh_adapter and/or output_adapter to true, or there is nothing to train")
        return self


class BitfitConfig(MethodBase):
    name: Literal["bitfit"] = "bitfit"
    """The method: picks which of the keys below apply."""


class BoftConfig(MethodBase):
    name: Literal["boft"] = "boft"
    """The method: picks which of the keys below apply."""
    boft_block_size: int = Field(4, ge=0)
    """Size of each BOFT block; set exactly one of boft_block_size and boft_block_num."""
    boft_block_num: int = Field(0, ge=0)
    """Number of BOFT blocks (0 when boft_block_size is set)."""
    boft_n_butterfly_factor: int = Field(1, ge=1)
    """Number of butterfly factors."""
    boft_dropout: float = Field(0.0, ge=0, lt=1)
    """Multiplicative dropout on the BOFT blocks."""
    target_modules: str | list[str] | None = None
    """Module names to adapt; None: PEFT's default for the architecture (q_proj, v_proj)."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""

    @model_validator(mode="after")
    def _one_size(self) -> BoftConfig:
        if (self.boft_block_size == 0) == (self.boft_block_num == 0):
            raise ValueError("set exactly one of boft_block_size and boft_block_num; the other must be 0")
        return self


class FreezeConfig(MethodBase):
    name: Literal["freeze"] = "freeze"
    """The method: picks which of the keys below apply."""
    trainable_layers: int = Field(2, ge=0)
    """How many of the top transformer layers train; the rest stay frozen."""
    trainable_modules: list[str] = Field(default_factory=list)
    """Module name patterns to train as well (e.g. embed_tokens)."""
    layer_lr_decay: float = Field(1.0, gt=0, le=1)
    """Layer-wise learning-rate decay; < 1: each layer below the top learns this much slower."""


class FullConfig(MethodBase):
    name: Literal["full"] = "full"
    """The method: picks which of the keys below apply."""
    layer_lr_decay: float = Field(1.0, gt=0, le=1)
    """Layer-wise learning-rate decay; < 1: each layer below the top learns this much slower."""


class Ia3Config(MethodBase):
    name: Literal["ia3"] = "ia3"
    """The method: picks which of the keys below apply."""
    target_modules: str | list[str] | None = None
    """Module names to adapt; None: PEFT's default (k_proj, v_proj, down_proj for Llama)."""
    feedforward_modules: str | list[str] | None = None
    """Modules treated as feed-forward layers; scaled on their input; must be among target_modules."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""


class LnTuningConfig(MethodBase):
    name: Literal["ln_tuning"] = "ln_tuning"
    """The method: picks which of the keys below apply."""
    target_modules: str | list[str] | None = None
    """Norm modules to train; None: PEFT's default (every layer's norms and the final norm)."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""


class LohaConfig(MethodBase):
    name: Literal["loha"] = "loha"
    """The method: picks which of the keys below apply."""
    r: int = Field(8, ge=1)
    """Rank of the low-rank update."""
    alpha: int = Field(8, ge=1)
    """Scaling numerator: the update is scaled by alpha / r."""
    rank_dropout: float = Field(0.0, ge=0, lt=1)
    """Dropout on the rank dimension of the update."""
    module_dropout: float = Field(0.0, ge=0, lt=1)
    """Probability of skipping a whole adapted module in a training step."""
    use_effective_conv2d: bool = False
    """Use the effective decomposition for convolution layers (PEFT's flag)."""
    target_modules: str | list[str] | None = None
    """Module names to adapt; None: PEFT's default for the architecture (q_proj, v_proj)."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""


class LokrConfig(MethodBase):
    name: Literal["lokr"] = "lokr"
    """The method: picks which of the keys below apply."""
    r: int = Field(8, ge=1)
    """Rank of the low-rank update."""
    alpha: int = Field(8, ge=1)
    """Scaling numerator: the update is scaled by alpha / r."""
    rank_dropout: float = Field(0.0, ge=0, lt=1)
    """Dropout on the rank dimension of the update."""
    module_dropout: float = Field(0.0, ge=0, lt=1)
    """Probability of skipping a whole adapted module in a training step."""
    decompose_both: bool = False
    """Decompose the left Kronecker factor too."""
    decompose_factor: int = -1
    """Kronecker factor size; -1 picks it automatically."""
    rank_dropout_scale: bool = False
    """Rescale after rank dropout."""
    target_modules: str | list[str] | None = None
    """Module names to adapt; None: PEFT's default for the architecture (q_proj, v_proj)."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""


class LoraConfig(MethodBase):
    name: Literal["lora"] = "lora"
    """The method: picks which of the keys below apply."""
    r: int = Field(16, ge=1)
    """Rank of the low-rank update."""
    alpha: int = Field(32, ge=1)
    """Scaling numerator: the update is scaled by alpha / r."""
    dropout: float = Field(0.05, ge=0, lt=1)
    """Dropout on the adapter's input."""
    target_modules: str | list[str] = "all-linear"
    """Module names (or a regex, or all-linear) to adapt."""
    use_dora: bool = False
    """DoRA: learn a magnitude vector besides the low-rank direction update."""
    use_rslora: bool = False
    """rsLoRA: scale by alpha / sqrt(r) instead of alpha / r."""
    init_lora_weights: bool | str = True
    """Initialisation: true (B = 0), false (random), gaussian, pissa, olora, loftq …."""
    loraplus_lr_ratio: float | None = Field(None, ge=1)
    """LoRA+: the B matrices learn this many times faster than A; None: off."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""
    moe: MoeConfig | None = None
    """Mixture-of-experts models: LoRA on attention and/or experts, router frozen or trained, aux-loss weight."""

    @field_validator("init_lora_weights")
    @classmethod
    def _known_init(cls, value: bool | str) -> bool | str:
        if isinstance(value, bool) or value in INIT_CHOICES:
            return value
        if re.fullmatch(r"pissa_niter_\d+", value):
            raise ValueError(
                "pissa_niter_N (randomised SVD) cannot be reloaded exactly: PEFT redoes the split with new random "
                "numbers when it loads the adapter; use pissa (exact SVD)"
            )
        raise ValueError(f"expected true, false, {', '.join(INIT_CHOICES)}")

    @model_validator(mode="before")
    @classmethod
    def _moe_dropout(cls, data):
        return moe_dropout(data)  # LoRA on experts: dropout 0 unless the recipe sets it (config/moe.py)

    @model_validator(mode="after")
    def _moe_fits(self) -> LoraConfig:
        if self.moe is not None and (problem := moe_problem(self)):
            raise ValueError(problem)
        return self


class OftConfig(MethodBase):
    name: Literal["oft"] = "oft"
    """The method: picks which of the keys below apply."""
    r: int = Field(0, ge=0)
    """Number of OFT blocks per module; number of blocks; set exactly one of r and oft_block_size."""
    oft_block_size: int = Field(32, ge=0)
    """Size of each OFT block (0 when r is set)."""
    module_dropout: float = Field(0.0, ge=0, lt=1)
    """Probability of skipping a whole adapted module in a training step."""
    coft: bool = False
    """Constrained OFT: keep the rotation close to the identity."""
    eps: float = Field(6e-5, gt=0)
    """Constraint radius of constrained OFT."""
    block_share: bool = False
    """Share one rotation block across the blocks of a layer."""
    use_cayley_neumann: bool = True
    """Approximate the Cayley transform with a Neumann series (faster)."""
    num_cayley_neumann_terms: int = Field(5, ge=1)
    """Terms of the Neumann series."""
    target_modules: str | list[str] | None = None
    """Module names to adapt; None: PEFT's default for the architecture (q_proj, v_proj)."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""

    @model_validator(mode="after")
    def _one_size(self) -> OftConfig:
        if (self.r == 0) == (self.oft_block_size == 0):
            raise ValueError("set exactly one of r (number of blocks) and oft_block_size; the other must be 0")
        return self


class PTuningConfig(MethodBase):
    name: Literal["p_tuning"] = "p_tuning"
    """The method: picks which of the keys below apply."""
    num_virtual_tokens: int = Field(20, ge=1)
    """How many trained virtual tokens are prepended."""
    encoder_reparameterization_type: Literal["MLP", "LSTM"] = "MLP"
    """The prompt encoder: an MLP or an LSTM."""
    encoder_hidden_size: int | None = Field(None, ge=1)
    """Width of the prompt encoder; None: the model's hidden size."""
    encoder_num_layers: int = Field(2, ge=1)
    """Layers of the LSTM prompt encoder; LSTM only: the MLP encoder always has two hidden layers."""
    encoder_dropout: float = Field(0.0, ge=0, lt=1)
    """Dropout in the prompt encoder."""


class PTuningV2Config(MethodBase):
    name: Literal["p_tuning_v2"] = "p_tuning_v2"
    """The method: picks which of the keys below apply."""
    num_virtual_tokens: int = Field(20, ge=1)
    """How many trained virtual tokens are prepended."""
    init_text: str | None = Field(PREFIX_INIT_TEXT, min_length=1)
    """The prefixes start as the keys and values of this text's first tokens (repeated if short); None: N(0, 1)."""


class PrefixTuningConfig(MethodBase):
    name: Literal["prefix_tuning"] = "prefix_tuning"
    """The method: picks which of the keys below apply."""
    num_virtual_tokens: int = Field(20, ge=1)
    """How many trained virtual tokens are prepended."""
    prefix_projection: bool = True
    """Reparameterise the prefix through an MLP; Li & Liang's reparameterisation; false is `p_tuning_v2`."""
    encoder_hidden_size: int | None = Field(None, ge=1)
    """Width of the prefix MLP; None: the model's hidden size (at least num_virtual_tokens, for init_text)."""
    init_text: str | None = Field(PREFIX_INIT_TEXT, min_length=1)
    """The prefixes start as the keys and values of this text's first tokens (repeated if short), the MLP fitted to
    give them exactly; None: PEFT's random start."""

    @model_validator(mode="after")
    def _wide_enough(self) -> PrefixTuningConfig:
        narrow = self.encoder_hidden_size is not None and self.encoder_hidden_size < self.num_virtual_tokens
        if self.prefix_projection and self.init_text is not None and narrow:
            raise ValueError(
                "encoder_hidden_size must be at least num_virtual_tokens for the MLP to reproduce init_text's "
                "keys and values (or set init_text: null)"
            )
        return self


class PromptTuningConfig(MethodBase):
    name: Literal["prompt_tuning"] = "prompt_tuning"
    """The method: picks which of the keys below apply."""
    num_virtual_tokens: int = Field(20, ge=1)
    """How many trained virtual tokens are prepended."""
    prompt_tuning_init: Literal["RANDOM", "TEXT", "SAMPLE_VOCAB"] = "RANDOM"
    """How the virtual tokens start: random, from a text, or sampled from the vocabulary."""
    prompt_tuning_init_text: str | None = None
    """With TEXT: the virtual tokens start as this text's embeddings."""

    @model_validator(mode="after")
    def _text_when_needed(self) -> PromptTuningConfig:
        if self.prompt_tuning_init == "TEXT" and not self.prompt_tuning_init_text:
            raise ValueError("prompt_tuning_init TEXT needs prompt_tuning_init_text, e.g. 'Answer the question:'")
        return self


class QloraConfig(LoraConfig):
    name: Literal["qlora"] = "qlora"  # type: ignore[assignment]
    """The method: picks which of the keys below apply."""
    bnb_4bit_quant_type: Literal["nf4", "fp4"] = "nf4"
    """4-bit quantisation type of the frozen base weights."""
    bnb_4bit_use_double_quant: bool = True
    """Quantise the quantisation constants too (saves memory)."""
    bnb_4bit_compute_dtype: Literal["bfloat16", "float16", "float32"] = "bfloat16"
    """Dtype the 4-bit weights are computed in."""


class VeraConfig(MethodBase):
    name: Literal["vera"] = "vera"
    """The method: picks which of the keys below apply."""
    r: int = Field(256, ge=1)
    """Rank of the low-rank update."""
    target_modules: str | list[str] | None = None
    """Module names to adapt; None: PEFT's default for the architecture (q_proj, v_proj)."""
    vera_dropout: float = Field(0.0, ge=0, lt=1)
    """Dropout on VeRA's input."""
    d_initial: float = Field(0.1, gt=0)
    """Initial value of the trained scaling vector d."""
    projection_prng_key: int = 0
    """Seed of the shared random projections."""
    save_projection: bool = True
    """Save the shared projections with the adapter (safer to reload)."""
    modules_to_save: list[str] | None = None
    """Extra modules trained in full and saved with the adapter (e.g. lm_head); None: none."""


class XloraConfig(MethodBase):
    """A learned gate over finished LoRA runs on this recipe's base (X-LoRA-style, built in the open: see
    docs/mixtures.md); only the gate trains, the adapters stay frozen."""

    name: Literal["xlora"] = "xlora"
    """The method: picks which of the keys below apply."""
    adapters: list[str] = Field(min_length=2)
    """Finished LoRA run directories whose adapters the gate mixes (two or more, trained on this recipe's model)."""
    layerwise: bool = False
    """One weight per adapter for every LoRA module (X-LoRA's layerwise_scalings); false: one set for all modules."""
    temperature: float = Field(1.0, gt=0)
    """Softmax temperature of the gate (X-LoRA's softmax_temperature); lower gives sharper mixtures."""


MethodConfig = Annotated[
    Union[  # noqa: UP007 - one member a line, so the list of methods reads like one
        AdaloraConfig,
        AdapterConfig,
        BitfitConfig,
        BoftConfig,
        FreezeConfig,
        FullConfig,
        Ia3Config,
        LnTuningConfig,
        LohaConfig,
        LokrConfig,
        LoraConfig,
        OftConfig,
        PTuningConfig,
        PTuningV2Config,
        PrefixTuningConfig,
        PromptTuningConfig,
        QloraConfig,
        VeraConfig,
        XloraConfig,
    ],
    Field(discriminator="name"),
]
METHOD_CLASSES: tuple[type[MethodBase], ...] = get_args(get_args(MethodConfig)[0])
METHOD_NAMES: tuple[str, ...] = tuple(c.model_fields["name"].default for c in METHOD_CLASSES)
