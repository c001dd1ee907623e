"""Reward 1 when the completion matches a regular expression (anywhere, or as a whole with `fullmatch`), else 0."""

from __future__ import annotations

import re

from tunesmith.config.rewards import RegexConfig as Config
from tunesmith.train.rewards import text_of
from tunesmith.train.rewards.base import RewardKind


def score(text: str, pattern: re.Pattern, fullmatch: bool = False) -> float:
    """1.0 if `text` (stripped, for fullmatch) matches, else 0.0."""
    found = pattern.fullmatch(text.strip()) if fullmatch else pattern.search(text)
    return 1.0 if found else 0.0


def build(cfg: Config):
    pattern = re.compile(cfg.pattern)

    def regex(prompts, completions, **kwargs) -> list[float]:
        return [score(text_of(c), pattern, cfg.fullmatch) for c in completions]

    return regex


REWARD = RewardKind(build=build)
