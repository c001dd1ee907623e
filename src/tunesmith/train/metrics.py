"""Alignment metrics from a run's metrics.jsonl rows: the last held-out preference scores, and the reward curve.

For a summary or an eval report: preference stages log reward accuracy (chosen scored above rejected) and margin
on the validation pairs; online RL logs the mean reward of each logging step.
"""

from __future__ import annotations

HELD_OUT = (
    "eval_rewards/accuracies",  # dpo, orpo, simpo: implicit reward of chosen > rejected
    "eval_rewards/margins",
    "eval_rewards/chosen",  # kto
    "eval_rewards/rejected",
    "eval_accuracy",  # reward model: score of chosen > rejected
    "eval_margin",
    "eval_reward",  # grpo, rloo: mean reward on validation prompts
)


def held_out_metrics(rows: list[dict]) -> dict[str, float]:
    """The last logged value of each held-out preference metric the run has."""
    found: dict[str, float] = {}
    for row in rows:
        found.update({key: row[key] for key in HELD_OUT if key in row})
    return {key: found[key] for key in HELD_OUT if key in found}


def reward_curve(rows: list[dict]) -> list[tuple[int, float]]:
    """(step, mean reward) for every training log of an online-RL run, in order: the curve to plot."""
    return [(row["step"], row["reward"]) for row in rows if "reward" in row and "loss" in row]
