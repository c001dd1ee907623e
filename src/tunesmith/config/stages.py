"""The recipe's `stage:` section: one config class per training objective, chosen by its `name`.

Keys keep TRL's names (`beta`, `loss_type` …). The trainer of each stage lives in `tunesmith/train/stages/<name>.py`;
`StageConfig` is the union of these classes, told apart by `name` (pydantic's discriminated union).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import Field, field_validator, model_validator

from tunesmith.config.rewards import REWARD_NAMES, RewardConfig
from tunesmith.config.section import Section
from tunesmith.schema import named_section

LossType = Literal[
    "sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot", "aot_unpaired",
    "apo_zero", "apo_down", "discopop", "sft", "sigmoid_norm",
]  # fmt: skip


class StageBase(Section):
    """Base of every stage's keys: `name` picks the objective."""

    name: str
    """The stage (training objective): picks which of the keys below apply."""


class OnlineConfig(StageBase):
    """Keys shared by grpo and rloo (TRL's names); `rewards` lists the reward functions, summed by weight."""

    rewards: list[RewardConfig] = Field(min_length=1)
    """The reward functions, summed by their weights, e.g. [{name: json_valid}]."""
    num_generations: int = Field(4, ge=2)
    """Completions sampled per prompt (the group)."""
    max_completion_length: int = Field(256, ge=1)
    """Longest sampled completion, in tokens."""
    temperature: float = Field(1.0, gt=0)
    """Sampling temperature of the completions."""
    top_p: float = Field(1.0, gt=0, le=1)
    """Nucleus sampling of the completions."""
    epsilon: float = Field(0.2, gt=0)
    """Clipping range of the policy ratio."""
    num_iterations: int = Field(1, ge=1)
    """Optimisation passes per batch of completions."""
    mask_truncated_completions: bool = False
    """Leave completions cut at the length limit out of the loss."""
    log_completions: bool = False
    """Log sampled completions with their rewards."""

    @field_validator("rewards", mode="before")
    @classmethod
    def _rewards_by_name(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError("expected a list of rewards, e.g. [{name: json_valid}]")
        return [_reward(item, i) for i, item in enumerate(value)]


def _reward(item: Any, index: int) -> Any:
    try:
        return named_section(item, "reward", REWARD_NAMES, "{name: json_valid}")
    except ValueError as exc:
        raise ValueError(f"rewards[{index}]: {exc}") from None


class DistillConfig(StageBase):
    name: Literal["distill"] = "distill"
    """The stage (training objective): picks which of the keys below apply."""
    teacher: str
    """The teacher model; model reference or run directory; must share the student's tokenizer."""
    beta: float = Field(0.5, ge=0.0, le=1.0)
    """Which divergence is minimised; generalised JSD: 0 forward KL, 0.5 JSD, 1 reverse KL."""
    temperature: float = Field(1.0, gt=0)
    """Sampling temperature; sampling temperature of the student's completions."""
    max_completion_length: int = Field(128, ge=1)
    """Longest completion the student generates, in tokens."""


class DpoConfig(StageBase):
    name: Literal["dpo"] = "dpo"
    """The stage (training objective): picks which of the keys below apply."""
    beta: float = Field(0.1, gt=0)
    """Strength of the pull toward the reference model (higher: stay closer)."""
    loss_type: LossType | list[LossType] = "sigmoid"
    """The preference loss (TRL's names); a list combines several."""
    loss_weights: list[float] | None = None
    """Weights of the losses when loss_type is a list; None: equal."""
    label_smoothing: float = Field(0.0, ge=0, lt=0.5)
    """Assumed share of wrongly labelled pairs (robust and cDPO losses)."""
    precompute_ref_log_probs: bool = False
    """Compute the reference model's log-probabilities once before training."""

    @model_validator(mode="after")
    def _consistent(self) -> DpoConfig:
        types = self.loss_type if isinstance(self.loss_type, list) else [self.loss_type]
        if self.loss_weights is not None and len(self.loss_weights) != len(types):
            raise ValueError(
                f"loss_weights has {len(self.loss_weights)} values; expected one per loss_type ({len(types)})"
            )
        if "exo_pair" in types and self.label_smoothing == 0:
            raise ValueError("loss_type exo_pair needs label_smoothing > 0 (the EXO paper suggests 1e-3)")
        return self


class GrpoConfig(OnlineConfig):
    name: Literal["grpo"] = "grpo"
    """The stage (training objective): picks which of the keys below apply."""
    beta: float = Field(0.0, ge=0)
    """KL weight; KL weight toward the starting model; 0 (TRL's default) needs no reference."""
    loss_type: Literal["grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo"] = "dapo"
    """How the loss is normalised over tokens and groups (TRL's names)."""
    scale_rewards: Literal["group", "batch", "none"] = "group"
    """Divide advantages by the reward's standard deviation: per group, per batch, or not."""


class KtoConfig(StageBase):
    name: Literal["kto"] = "kto"
    """The stage (training objective): picks which of the keys below apply."""
    beta: float = Field(0.1, gt=0)
    """Strength of the pull toward the reference model."""
    loss_type: Literal["kto", "apo_zero_unpaired"] = "kto"
    """The KTO loss variant."""
    desirable_weight: float = Field(1.0, gt=0)
    """Weight of desirable (label true) examples."""
    undesirable_weight: float = Field(1.0, gt=0)
    """Weight of undesirable (label false) examples."""
    precompute_ref_log_probs: bool = False
    """Compute the reference model's log-probabilities once before training."""


class OrpoConfig(StageBase):
    name: Literal["orpo"] = "orpo"
    """The stage (training objective): picks which of the keys below apply."""
    beta: float = Field(0.1, gt=0)
    """Weight of the odds-ratio term; λ in the ORPO paper: the weight of the odds-ratio term."""
    max_completion_length: int | None = Field(None, ge=1)
    """Longest completion, in tokens; None: max_length."""


class PretrainConfig(StageBase):
    name: Literal["pretrain"] = "pretrain"
    """The stage (training objective): picks which of the keys below apply."""
    packing: bool = True
    """Pack documents into max_length windows (train.packing is for chat SFT)."""
    min_characters: int = Field(1, ge=1)
    """Shortest text kept, in characters; texts shorter than this are skipped."""


class RewardStageConfig(StageBase):
    name: Literal["reward"] = "reward"
    """The stage (training objective): picks which of the keys below apply."""
    center_rewards_coefficient: float | None = Field(None, ge=0)
    """Weight pulling rewards toward mean zero; pushes rewards toward mean zero (0.01 is usual)."""


class RlooConfig(OnlineConfig):
    name: Literal["rloo"] = "rloo"
    """The stage (training objective): picks which of the keys below apply."""
    beta: float = Field(0.05, ge=0)
    """KL weight; KL weight toward the starting model (TRL's default)."""
    normalize_advantages: bool = False
    """Normalise the advantages in each batch."""
    reward_clip_range: tuple[float, float] | None = None
    """Clip rewards into [low, high]; None: no clipping."""


class SftConfig(StageBase):
    name: Literal["sft"] = "sft"
    """The stage (training objective): picks which of the keys below apply."""


class SimpoConfig(StageBase):
    name: Literal["simpo"] = "simpo"
    """The stage (training objective): picks which of the keys below apply."""
    beta: float = Field(2.0, gt=0)
    """Reward scale β; the SimPO paper's range is 2.0–2.5 (TRL's CPO default 0.1 suits CPO's loss)."""
    simpo_gamma: float = Field(0.5, ge=0)
    """Target reward margin γ; target reward margin."""
    cpo_alpha: float = Field(0.0, ge=0)
    """Weight of the behaviour-cloning (NLL) term."""
    label_smoothing: float = Field(0.0, ge=0, lt=0.5)
    """Assumed share of wrongly labelled pairs."""
    max_completion_length: int | None = Field(None, ge=1)
    """Longest completion, in tokens; None: max_length."""


class SpinConfig(DpoConfig):
    name: Literal["spin"] = "spin"  # type: ignore[assignment]
    """The stage (training objective): picks which of the keys below apply."""
    max_new_tokens: int = Field(256, ge=1)
    """The longest own answer generated."""
    temperature: float = Field(0.0, ge=0)
    """Sampling temperature of the model's own answers; 0: the model's greedy answer, the mistake it makes most."""
    generation_batch_size: int = Field(16, ge=1)
    """Prompts answered at once when generating the model's own answers."""
    max_prompts: int | None = Field(None, ge=1)
    """Answer a seeded sample of this many training prompts; None: all."""
    balance_failures: bool = True
    """Cap each failure type of the wrong answers (invalid JSON, which fields are wrong, which label was missed) at
    the mean count per type, so DPO does not over-learn the commonest mistake; false: every wrong answer a pair."""


StageConfig = Annotated[
    Union[  # noqa: UP007 - one member a line, so the list of stages reads like one
        DistillConfig,
        DpoConfig,
        GrpoConfig,
        KtoConfig,
        OrpoConfig,
        PretrainConfig,
        RewardStageConfig,
        RlooConfig,
        SftConfig,
        SimpoConfig,
        SpinConfig,
    ],
    Field(discriminator="name"),
]
STAGE_CLASSES: tuple[type[StageBase], ...] = get_args(get_args(StageConfig)[0])
STAGE_NAMES: tuple[str, ...] = tuple(c.model_fields["name"].default for c in STAGE_CLASSES)
