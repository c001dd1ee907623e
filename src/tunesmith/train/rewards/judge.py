"""An LLM judge as the reward (RLAIF): a model scores each completion, through any OpenAI-compatible endpoint
(OpenAI, vLLM, llama.cpp, `tunesmith serve` …) or a local model.

The judge answers `prompt` (with {prompt} and {completion} filled in) with a score from 0 to `scale`; the reward is
that score divided by `scale`, so 0 to 1. A reply without a number scores None (left out of the mean, not 0).
An endpoint's API key is read from the environment variable `api_key_env` names, never from the recipe.
"""

from __future__ import annotations

import re

from tunesmith.config.rewards import JudgeConfig as Config
from tunesmith.train.rewards import text_of
from tunesmith.train.rewards.base import RewardKind

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


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


REWARD = RewardKind(build=build)
