"""The rewards an online-RL stage (grpo, rloo) sums, under `stage.rewards`: one config class per reward, by `name`.

Their behaviour lives in `tunesmith/train/rewards/<name>.py`; `RewardConfig` is the union, told apart by `name`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union, get_args

from pydantic import Field, field_validator

from tunesmith.schema import Strict

DEFAULT_JUDGE_PROMPT = (
    "Rate how well the response answers the request, from 0 (useless or wrong) to 10 (correct and helpful). "
    "Reply with the number only.\n\nRequest:\n{prompt}\n\nResponse:\n{completion}"
)


class RewardBase(Strict):
    """Base of every reward's keys: `weight` scales it in the sum of rewards."""

    name: str
    weight: float = 1.0


class ExactAnswerConfig(RewardBase):
    name: Literal["exact_answer"] = "exact_answer"
    column: str = "answer"
    match: Literal["exact", "contains"] = "exact"


class JsonValidConfig(RewardBase):
    name: Literal["json_valid"] = "json_valid"
    fields: list[str] = Field(default_factory=list)


class JudgeConfig(RewardBase):
    name: Literal["judge"] = "judge"
    model: str  # the served model's name (openai), or a model ref: alias, folder or run directory (local)
    kind: Literal["openai", "local"] = "openai"
    base_url: str | None = None  # e.g. http://localhost:8000/v1; None: the OpenAI API
    api_key_env: str | None = "OPENAI_API_KEY"  # variable holding the key; None for servers that need none
    prompt: str = DEFAULT_JUDGE_PROMPT
    scale: float = Field(10.0, gt=0)
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(16, ge=1)
    concurrency: int = Field(8, ge=1)
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0)

    @field_validator("prompt")
    @classmethod
    def _has_completion(cls, value: str) -> str:
        if "{completion}" not in value:
            raise ValueError("must contain {completion} (and usually {prompt}), where the texts to judge go")
        return value


class LengthConfig(RewardBase):
    name: Literal["length"] = "length"
    target: int = Field(ge=1)
    unit: Literal["words", "chars", "tokens"] = "words"


class RegexConfig(RewardBase):
    name: Literal["regex"] = "regex"
    pattern: str
    fullmatch: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class RewardModelConfig(RewardBase):
    name: Literal["reward_model"] = "reward_model"
    model: str  # a run directory of stage `reward`, or a folder holding a num_labels=1 classification model


RewardConfig = Annotated[
    Union[  # noqa: UP007 - one member a line, so the list of rewards reads like one
        ExactAnswerConfig,
        JsonValidConfig,
        JudgeConfig,
        LengthConfig,
        RegexConfig,
        RewardModelConfig,
    ],
    Field(discriminator="name"),
]
REWARD_CLASSES: tuple[type[RewardBase], ...] = get_args(get_args(RewardConfig)[0])
REWARD_NAMES: tuple[str, ...] = tuple(c.model_fields["name"].default for c in REWARD_CLASSES)
