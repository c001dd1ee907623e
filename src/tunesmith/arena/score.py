"""Scores with error bars: the task metrics per arm, the primary score per example, and bootstrap intervals.

The primary score is averaged over examples, so every arm's number has a 95% percentile-bootstrap interval
(2,000 resamples of the examples, seeded) and two arms compare on the same resamples (a paired bootstrap):
when the interval of their difference holds zero, the report calls it a tie. The bootstrap itself lives in
`tunesmith.eval.stats`, shared with every eval report.
"""

from __future__ import annotations

from tunesmith.arena.config import TaskConfig
from tunesmith.errors import InputError
from tunesmith.eval import metrics as metric_fns
from tunesmith.eval.stats import interval
from tunesmith.eval.stats import paired_difference as paired_difference  # re-exported for the arena's readers
from tunesmith.schema import unknown_name


def primary_name(task: TaskConfig) -> str:
    """The score that decides: `task.primary`, else the first metric's headline score."""
    return task.primary or metric_fns.HEADLINE[task.metrics[0]]


def primary_metric(task: TaskConfig) -> str:
    """The metric whose output holds the primary score."""
    name = primary_name(task)
    for metric in task.metrics:
        if name in metric_fns.SCORES[metric] or (metric == "json" and name.startswith("field_accuracy/")):
            return metric
    raise InputError(
        "task.primary", unknown_name("score", name, [s for m in task.metrics for s in metric_fns.SCORES[m]])
    )


def all_metrics(task: TaskConfig, replies: list[str], references: list[str]) -> dict[str, float]:
    """Every metric the task names, over the whole set."""
    return metric_fns.compute(task.metrics, replies, references, json_fields=task.json_fields)


def per_example(task: TaskConfig, replies: list[str], references: list[str]) -> list[float]:
    """The primary score of each reply alone (its mean is the arm's primary score)."""
    return metric_fns.per_example(primary_metric(task), replies, references, primary_name(task), task.json_fields)


def by_group(scores: list[float], groups: list[str | None]) -> dict[str, dict]:
    """The primary score with its interval within each group (records without the field are left out)."""
    found = {}
    for group in sorted({g for g in groups if g is not None}):
        found[group] = interval([s for s, g in zip(scores, groups) if g == group])
    return found
