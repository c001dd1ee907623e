"""The recipe's `method:` section: one config class per fine-tuning method, chosen by its `name`.

Keys keep PEFT's names (a LoRA `r` stays `r`), so PEFT's docs still help. The behaviour of each method lives in
`tunesmith/train/methods/<name>.py`; here is only what a recipe may say, so a recipe validates without loading
any training code. `MethodConfig` is the union of them all, told apart by `name` (pydantic's discriminated union).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union, get_args

from pydantic import Field, field_validator, model_validator

from tunesmith.schema import Strict

# PEFT initialisations that need no data or extra config and reload exactly: PEFT redoes PiSSA's / OLoRA's split of
# the base weights when it loads the adapter, so only the deterministic ones are offered (no `pissa_niter_N`).
INIT_CHOICES = ("gaussian", "orthogonal", "pissa", "olora")


class MethodBase(Strict):
    """Base of every method's keys: `name` picks the method."""

    name: str


class AdaloraConfig(MethodBase):
    name: Literal["adalora"] = "adalora"
    init_r: int = Field(12, ge=1)
    target_r: int = Field(8, ge=1)
    tinit: int = Field(0, ge=0)
    tfinal: int = Field(0, ge=0)
    deltaT: int = Field(1, ge=1)  # noqa: N815 - PEFT's name
    beta1: float = Field(0.85, gt=0, lt=1)
    beta2: float = Field(0.85, gt=0, lt=1)
    orth_reg_weight: float = Field(0.5, ge=0)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    modules_to_save: list[str] | None = None


class AdapterConfig(MethodBase):
    """Keys named as AdapterHub's bottleneck configs, so its docs still help."""

    name: Literal["adapter"] = "adapter"
    reduction_factor: int = Field(16, ge=1)  # bottleneck width = hidden size / reduction_factor
    non_linearity: Literal["relu", "gelu", "silu", "tanh"] = "silu"
    mh_adapter: bool = True  # an adapter after each attention block
    output_adapter: bool = True  # an adapter after each MLP block

    @model_validator(mode="after")
    def _somewhere(self) -> AdapterConfig:
        if not (self.mh_adapter or self.output_adapter):
            raise ValueError("set mh_adapter and/or output_adapter to true, or there is nothing to train")
        return self


class BitfitConfig(MethodBase):
    name: Literal["bitfit"] = "bitfit"


class BoftConfig(MethodBase):
    name: Literal["boft"] = "boft"
    boft_block_size: int = Field(4, ge=0)  # set exactly one of boft_block_size and boft_block_num
    boft_block_num: int = Field(0, ge=0)
    boft_n_butterfly_factor: int = Field(1, ge=1)
    boft_dropout: float = Field(0.0, ge=0, lt=1)
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None

    @model_validator(mode="after")
    def _one_size(self) -> BoftConfig:
        if (self.boft_block_size == 0) == (self.boft_block_num == 0):
            raise ValueError("set exactly one of boft_block_size and boft_block_num; the other must be 0")
        return self


class FreezeConfig(MethodBase):
    name: Literal["freeze"] = "freeze"
    trainable_layers: int = Field(2, ge=0)
    trainable_modules: list[str] = Field(default_factory=list)
    layer_lr_decay: float = Field(1.0, gt=0, le=1)  # < 1: each layer below the top learns this much slower


class FullConfig(MethodBase):
    name: Literal["full"] = "full"
    layer_lr_decay: float = Field(1.0, gt=0, le=1)  # < 1: each layer below the top learns this much slower


class Ia3Config(MethodBase):
    name: Literal["ia3"] = "ia3"
    target_modules: str | list[str] | None = None  # None: PEFT's default (k_proj, v_proj, down_proj for Llama)
    feedforward_modules: str | list[str] | None = None  # scaled on their input; must be among target_modules
    modules_to_save: list[str] | None = None


class LnTuningConfig(MethodBase):
    name: Literal["ln_tuning"] = "ln_tuning"
    target_modules: str | list[str] | None = None  # None: PEFT's default (every layer's norms and the final norm)
    modules_to_save: list[str] | None = None


class LohaConfig(MethodBase):
    name: Literal["loha"] = "loha"
    r: int = Field(8, ge=1)
    alpha: int = Field(8, ge=1)
    rank_dropout: float = Field(0.0, ge=0, lt=1)
    module_dropout: float = Field(0.0, ge=0, lt=1)
    use_effective_conv2d: bool = False
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None


class LokrConfig(MethodBase):
    name: Literal["lokr"] = "lokr"
    r: int = Field(8, ge=1)
    alpha: int = Field(8, ge=1)
    rank_dropout: float = Field(0.0, ge=0, lt=1)
    module_dropout: float = Field(0.0, ge=0, lt=1)
    decompose_both: bool = False
    decompose_factor: int = -1
    rank_dropout_scale: bool = False
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None


class LoraConfig(MethodBase):
    name: Literal["lora"] = "lora"
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    use_dora: bool = False
    use_rslora: bool = False
    init_lora_weights: bool | str = True
    loraplus_lr_ratio: float | None = Field(None, ge=1)
    modules_to_save: list[str] | None = None

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


class OftConfig(MethodBase):
    name: Literal["oft"] = "oft"
    r: int = Field(0, ge=0)  # number of blocks; set exactly one of r and oft_block_size
    oft_block_size: int = Field(32, ge=0)
    module_dropout: float = Field(0.0, ge=0, lt=1)
    coft: bool = False
    eps: float = Field(6e-5, gt=0)
    block_share: bool = False
    use_cayley_neumann: bool = True
    num_cayley_neumann_terms: int = Field(5, ge=1)
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None

    @model_validator(mode="after")
    def _one_size(self) -> OftConfig:
        if (self.r == 0) == (self.oft_block_size == 0):
            raise ValueError("set exactly one of r (number of blocks) and oft_block_size; the other must be 0")
        return self


class PTuningConfig(MethodBase):
    name: Literal["p_tuning"] = "p_tuning"
    num_virtual_tokens: int = Field(20, ge=1)
    encoder_reparameterization_type: Literal["MLP", "LSTM"] = "MLP"
    encoder_hidden_size: int | None = Field(None, ge=1)  # None: the model's hidden size
    encoder_num_layers: int = Field(2, ge=1)  # LSTM only: the MLP encoder always has two hidden layers
    encoder_dropout: float = Field(0.0, ge=0, lt=1)


class PTuningV2Config(MethodBase):
    name: Literal["p_tuning_v2"] = "p_tuning_v2"
    num_virtual_tokens: int = Field(20, ge=1)


class PrefixTuningConfig(MethodBase):
    name: Literal["prefix_tuning"] = "prefix_tuning"
    num_virtual_tokens: int = Field(20, ge=1)
    prefix_projection: bool = True  # Li & Liang's reparameterisation; false is `p_tuning_v2`
    encoder_hidden_size: int | None = Field(None, ge=1)  # the MLP's width; None: the model's hidden size


class PromptTuningConfig(MethodBase):
    name: Literal["prompt_tuning"] = "prompt_tuning"
    num_virtual_tokens: int = Field(20, ge=1)
    prompt_tuning_init: Literal["RANDOM", "TEXT", "SAMPLE_VOCAB"] = "RANDOM"
    prompt_tuning_init_text: str | None = None  # with TEXT: the virtual tokens start as this text's embeddings

    @model_validator(mode="after")
    def _text_when_needed(self) -> PromptTuningConfig:
        if self.prompt_tuning_init == "TEXT" and not self.prompt_tuning_init_text:
            raise ValueError("prompt_tuning_init TEXT needs prompt_tuning_init_text, e.g. 'Answer the question:'")
        return self


class QloraConfig(LoraConfig):
    name: Literal["qlora"] = "qlora"  # type: ignore[assignment]
    bnb_4bit_quant_type: Literal["nf4", "fp4"] = "nf4"
    bnb_4bit_use_double_quant: bool = True
    bnb_4bit_compute_dtype: Literal["bfloat16", "float16", "float32"] = "bfloat16"


class VeraConfig(MethodBase):
    name: Literal["vera"] = "vera"
    r: int = Field(256, ge=1)
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    vera_dropout: float = Field(0.0, ge=0, lt=1)
    d_initial: float = Field(0.1, gt=0)
    projection_prng_key: int = 0
    save_projection: bool = True
    modules_to_save: list[str] | None = None


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
    ],
    Field(discriminator="name"),
]
METHOD_CLASSES: tuple[type[MethodBase], ...] = get_args(get_args(MethodConfig)[0])
METHOD_NAMES: tuple[str, ...] = tuple(c.model_fields["name"].default for c in METHOD_CLASSES)
