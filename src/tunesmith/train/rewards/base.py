"""The reward contract: how a reward is built from its config, and which dataset columns it reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tunesmith.config.rewards import RewardBase

C = TypeVar("C", bound=RewardBase)


def no_columns(cfg: Any) -> list[str]:
    """The reward reads only the prompt and the completion."""
    return []


@dataclass(frozen=True)
class RewardKind(Generic[C]):
    """A reward module's contract: `build(cfg)` returns a callable `(prompts, completions, **columns) ->
    list[float | None]` in TRL's reward-function form (None: that completion could not be scored), or
    `(model, tokenizer)` for a sequence-classification reward model TRL runs itself. `columns(cfg)` names the
    dataset columns it reads (e.g. the reference answer), checked when the data is loaded."""

    build: Callable[[C], Any]
    columns: Callable[[C], list[str]] = no_columns
