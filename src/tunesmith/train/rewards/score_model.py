"""OpenAI's score_model grader: a model reads the rendered `input` messages and replies with a score in `range`.

It is asked through any OpenAI-compatible endpoint (`base_url`; None: OpenAI), with the `judge` reward's client.
The reply is a number, or JSON with a number under `result` (what OpenAI's graders ask for) or `score`, also in a
```json fence; the reward is it clamped to `range` and mapped to 0..1. Any other reply scores None (TRL leaves it
out of the mean). The API key is read from the variable `api_key_env` names, never from the recipe.
"""

from __future__ import annotations

import json
import math
import re

from tunesmith.config.rewards import ScoreModelConfig as Config
from tunesmith.train.rewards._templates import render, samples, template_columns
from tunesmith.train.rewards.base import RewardKind

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def columns(cfg: Config) -> list[str]:
    return template_columns(*(message.content for message in cfg.input))


def parse_score(reply: str, low: float, high: float) -> float | None:
    """The reply's score clamped to [low, high] and mapped to [0, 1]; None when the reply holds no score."""
    text = reply.strip()
    fenced = _FENCE.match(text)
    try:
        value = json.loads(fenced.group(1) if fenced else text)
    except ValueError:
        return None
    if isinstance(value, dict):
        value = value.get("result", value.get("score"))
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return (min(max(float(value), low), high) - low) / (high - low)


def build(cfg: Config):
    from tunesmith.data.teacher import TeacherConfig, make_teacher

    params = cfg.sampling_params
    teacher = make_teacher(
        TeacherConfig(
            model=cfg.model,
            base_url=cfg.base_url,
            api_key_env=cfg.api_key_env,
            temperature=params.temperature,
            max_tokens=params.max_completions_tokens,
            concurrency=cfg.concurrency,
            timeout=cfg.timeout,
            max_retries=cfg.max_retries,
        )
    )
    extra = {k: v for k, v in params.model_dump(include={"top_p", "seed", "reasoning_effort"}).items() if v is not None}
    fields = columns(cfg)

    def score_model(prompts, completions, **kwargs) -> list[float | None]:
        asks = [
            [{"role": m.role, "content": render(m.content, s)} for m in cfg.input]
            for s in samples(prompts, completions, fields, kwargs)
        ]
        return [parse_score(reply, *cfg.range) for reply in teacher.complete(asks, **extra)]

    return score_model


REWARD = RewardKind(build=build, columns=columns)
