"""OpenAI's string_check grader: 1 when the rendered `input` and `reference` pass `operation`, else 0.

`eq` / `ne`: equal / not equal, exactly (no stripping or case folding; `exact_answer` normalises); `like`: `input`
contains `reference`; `ilike`: the same, case-insensitively.
"""

from __future__ import annotations

from tunesmith.config.rewards import StringCheckConfig as Config
from tunesmith.train.rewards._templates import render, samples, template_columns
from tunesmith.train.rewards.base import RewardKind


def columns(cfg: Config) -> list[str]:
    return template_columns(cfg.input, cfg.reference)


def check(text: str, reference: str, operation: str) -> float:
    """1.0 when `text` passes `operation` against `reference`, else 0.0."""
    if operation == "eq":
        return float(text == reference)
    if operation == "ne":
        return float(text != reference)
    if operation == "like":
        return float(reference in text)
    return float(reference.casefold() in text.casefold())  # ilike


def build(cfg: Config):
    fields = columns(cfg)

    def string_check(prompts, completions, **kwargs) -> list[float]:
        return [
            check(render(cfg.input, s), render(cfg.reference, s), cfg.operation)
            for s in samples(prompts, completions, fields, kwargs)
        ]

    return string_check


REWARD = RewardKind(build=build, columns=columns)
