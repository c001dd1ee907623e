"""OpenAI's multi grader: several graders by name, combined by the arithmetic formula `calculate_output`.

The formula was checked when the recipe was validated (`compile_formula`: numbers, the graders' names, + - * /,
parentheses, min/max/abs; never Python's eval). A completion that one of its graders could not score (None), or
whose formula divides by zero, scores None. The result is not clipped: the formula decides its range.
"""

from __future__ import annotations

from tunesmith.config.rewards import MultiConfig as Config
from tunesmith.config.rewards import compile_formula
from tunesmith.train.rewards import find_reward
from tunesmith.train.rewards.base import RewardKind


def columns(cfg: Config) -> list[str]:
    found: list[str] = []
    for grader in cfg.graders.values():
        found += [c for c in find_reward(grader.name).columns(grader) if c not in found]
    return found


def build(cfg: Config):
    formula = compile_formula(cfg.calculate_output, cfg.graders)
    graders = {key: find_reward(grader.name).build(grader) for key, grader in cfg.graders.items()}

    def combine(scores: dict[str, float | None]) -> float | None:
        if any(score is None for score in scores.values()):
            return None
        try:
            return float(formula(scores))
        except ZeroDivisionError:
            return None

    def multi(prompts, completions, **kwargs) -> list[float | None]:
        scored = {key: grader(prompts, completions, **kwargs) for key, grader in graders.items()}
        return [combine({key: scores[i] for key, scores in scored.items()}) for i in range(len(completions))]

    return multi


REWARD = RewardKind(build=build, columns=columns)
