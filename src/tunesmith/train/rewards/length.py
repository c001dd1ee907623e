"""Reward for hitting a target length: 1 at `target`, falling linearly to 0 at twice (or none of) the target."""

from __future__ import annotations

from tunesmith.config.rewards import LengthConfig as Config
from tunesmith.train.rewards import text_of
from tunesmith.train.rewards.base import RewardKind


def score(size: int, target: int) -> float:
    """1 - |size - target| / target, floored at 0."""
    return max(0.0, 1.0 - abs(size - target) / target)


def size_of(text: str, ids: list[int] | None, unit: str) -> int:
    """A completion's length in `unit` (tokens: the generated ids, which TRL passes along)."""
    if unit == "tokens":
        return len(ids or [])
    return len(text) if unit == "chars" else len(text.split())


def build(cfg: Config):
    def length(prompts, completions, completion_ids=None, **kwargs) -> list[float]:
        ids = completion_ids or [None] * len(completions)
        return [score(size_of(text_of(c), i, cfg.unit), cfg.target) for c, i in zip(completions, ids)]

    return length


REWARD = RewardKind(build=build)
