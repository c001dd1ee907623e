"""An LLM judge as the reward (RLAIF): a model scores each completion, through any OpenAI-compatible endpoint
(OpenAI, vLLM, llama.cpp, `tunesmith serve` …) or a local model.

The judge answers `prompt` (with {prompt} and {completion} filled in) with a score from 0 to `scale`; the reward is
that score divided by `scale`, so 0 to 1. A reply without a number scores None (left out of the mean, not 0).
An endpoint's API key is read from the environment variable `api_key_env` names, never from the recipe.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from tunesmith.train.rewards import RewardConfig, text_of

DEFAULT_PROMPT = (
    "Rate how well the response answers the request, from 0 (useless or wrong) to 10 (correct and helpful). "
    "Reply with the number only.\n\nRequest:\n{prompt}\n\nResponse:\n{completion}"
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class Config(RewardConfig):
    name: Literal["judge"] = "judge"
    model: str  # the served model's name (openai), or a model ref: alias, folder or run directory (local)
    kind: Literal["openai", "local"] = "openai"
    base_url: str | None = None  # e.g. http://localhost:8000/v1; None: the OpenAI API
    api_key_env: str | None = "OPENAI_API_KEY"  # variable holding the key; None for servers that need none
    prompt: str = DEFAULT_PROMPT
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


def judge_prompt(template: str, prompt: str, completion: str) -> str:
    """The template with {prompt} and {completion} replaced (other braces, e.g. JSON, are left alone)."""
    return template.replace("{prompt}", prompt).replace("{completion}", completion)


def parse_score(reply: str, scale: float) -> float | None:
    """The first number in the judge's reply, clipped to [0, scale] and divided by scale; None if there is none."""
    found = NUMBER.search(reply)
    if found is None:
        return None
    return min(max(float(found.group()), 0.0), scale) / scale


def build(cfg: Config):
    from tunesmith.data.teacher import TeacherConfig, make_teacher

    teacher = make_teacher(
        TeacherConfig(
            kind=cfg.kind,
            model=cfg.model,
            base_url=cfg.base_url,
            api_key_env=cfg.api_key_env,
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            concurrency=cfg.concurrency,
            timeout=cfg.timeout,
            max_retries=cfg.max_retries,
        )
    )

    def judge(prompts, completions, **kwargs) -> list[float | None]:
        asks = [judge_prompt(cfg.prompt, text_of(p), text_of(c)) for p, c in zip(prompts, completions)]
        return [parse_score(reply, cfg.scale) for reply in teacher.complete(asks)]

    return judge
