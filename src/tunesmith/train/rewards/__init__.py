"""Reward functions for online RL (stages grpo and rloo), one module each, found by name.

A reward module defines `Config` (a `RewardConfig` subclass: its recipe keys in `stage.rewards`) and
`build(cfg) -> reward`, where a reward is either a callable `(prompts, completions, **columns) -> list[float | None]`
in TRL's reward-function form (None: this completion could not be scored), or `(model, tokenizer)` for a
sequence-classification reward model that TRL runs itself. A module may define `columns(cfg) -> list[str]`: dataset
columns its reward reads (e.g. the reference answer), checked when the data is loaded.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

REWARDS: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


class RewardConfig(BaseModel):
    """Base of every reward's keys: unknown keys are errors; `weight` scales it in the sum of rewards."""

    model_config = ConfigDict(extra="forbid")

    name: str
    weight: float = 1.0


@dataclass
class Reward:
    """A built reward as TRL takes it: a function or a model (with its tokenizer), under a unique display name."""

    name: str
    func: Any
    processing_class: Any = None
    weight: float = 1.0


def reward_module(name: str) -> ModuleType:
    """The module that implements reward `name` (one of REWARDS)."""
    return importlib.import_module(f"{__name__}.{name}")


def reward_config(value: Any, index: int) -> RewardConfig:
    """Validate one `stage.rewards` entry against its module's Config; problems are ValueErrors naming the entry."""
    if isinstance(value, str):
        value = {"name": value}
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if not isinstance(value, dict) or "name" not in value:
        raise ValueError(f"rewards[{index}]: expected a mapping with a 'name' key, e.g. {{name: json_valid}}")
    name = str(value["name"])
    if name not in REWARDS:
        close = difflib.get_close_matches(name, REWARDS, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"rewards[{index}]: unknown reward '{name}'{hint}; known: {', '.join(REWARDS)}")
    config_class = reward_module(name).Config
    try:
        return config_class.model_validate(value)
    except ValidationError as exc:
        raise ValueError(f"rewards[{index}] ({name}): {_first_problem(exc, config_class)}") from None


def rewards_field(default: list | None = None) -> Any:
    """The `rewards` field of an online-RL stage's Config: at least one reward."""
    return Field(default_factory=lambda: list(default or []), min_length=1)


def required_columns(configs: list[RewardConfig]) -> list[str]:
    """Dataset columns the rewards read besides prompt and completion, in first-use order."""
    found: list[str] = []
    for cfg in configs:
        columns = getattr(reward_module(cfg.name), "columns", None)
        found += [c for c in (columns(cfg) if columns else []) if c not in found]
    return found


def build_rewards(configs: list[RewardConfig]) -> list[Reward]:
    """Every reward built (judges connect, reward models load), each named uniquely for the logged metrics."""
    rewards = []
    seen: dict[str, int] = {}
    for cfg in configs:
        seen[cfg.name] = seen.get(cfg.name, 0) + 1
        name = cfg.name if seen[cfg.name] == 1 else f"{cfg.name}_{seen[cfg.name]}"
        built = reward_module(cfg.name).build(cfg)
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


def _first_problem(exc: ValidationError, config_class: type[BaseModel]) -> str:
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a typo explains the rest
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        known = list(config_class.model_fields)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{key}'{hint}; known: {', '.join(known)}"
    if err["type"] == "missing":
        return f"key '{key}' is required"
    return f"key '{key}': {str(err['msg']).removeprefix('Value error, ')}"
