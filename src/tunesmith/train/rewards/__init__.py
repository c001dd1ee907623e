"""Reward functions for online RL (stages grpo and rloo), one module each, found by name.

A reward's recipe keys are its config class in `tunesmith/config/rewards.py` (the module's `Config`); the module
ends with `REWARD = RewardKind(build=…, columns=…)` (see base.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tunesmith.config.rewards import RewardBase
from tunesmith.schema import find_module
from tunesmith.train.rewards.base import RewardKind


@dataclass
class Reward:
    """A built reward as TRL takes it: a function or a model (with its tokenizer), under a unique display name."""

    name: str
    func: Any
    processing_class: Any = None
    weight: float = 1.0


def find_reward(name: str) -> RewardKind:
    """The reward called `name`; an unknown name is a ValueError with a did-you-mean."""
    reward = find_module(__name__, name, "reward").REWARD
    if not isinstance(reward, RewardKind):
        raise TypeError(f"{__name__}.{name}.REWARD is not a RewardKind")
    return reward


def required_columns(configs: list[RewardBase]) -> list[str]:
    """Dataset columns the rewards read besides prompt and completion, in first-use order."""
    found: list[str] = []
    for cfg in configs:
        found += [c for c in find_reward(cfg.name).columns(cfg) if c not in found]
    return found


def build_rewards(configs: list[RewardBase]) -> list[Reward]:
    """Every reward built (judges connect, reward models load), each named uniquely for the logged metrics."""
    rewards = []
    seen: dict[str, int] = {}
    for cfg in configs:
        seen[cfg.name] = seen.get(cfg.name, 0) + 1
        name = cfg.name if seen[cfg.name] == 1 else f"{cfg.name}_{seen[cfg.name]}"
        built = find_reward(cfg.name).build(cfg)
        func, processing_class = built if isinstance(built, tuple) else (built, None)
        if processing_class is None:
            func = named(func, name)
        rewards.append(Reward(name, func, processing_class, cfg.weight))
    return rewards


class named:  # noqa: N801 (reads as a function at the call site)
    """A reward function under a display name: TRL logs `rewards/<name>/mean` from the callable's __name__."""

    def __init__(self, func, name: str):
        self.func = func
        self.__name__ = name

    def __call__(self, prompts, completions, **kwargs):
        return self.func(prompts, completions, **kwargs)


def text_of(value: Any) -> str:
    """A prompt or completion as text: the string itself, or the last message's content of a conversation."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        return str(value[-1].get("content") or "")
    return ""
