"""Decide whether the student replaces the adapter the server runs, and register it through the admin API.

The rule: with an adapter already registered under the name, the student must beat its score on the same
held-out slice by more than `margin`; with none, it must reach `min_score` (the teacher's answers are the
reference, so the teacher itself scores 1.0 on task metrics and 0.5 in win rate).
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.flywheel.compare import Comparison
from tunesmith.flywheel.config import PromoteConfig
from tunesmith.flywheel.server import ServerClient


@dataclass
class Decision:
    """Whether the student is promoted, why, and whether it was registered with the server."""

    promote: bool
    reason: str
    metric: str
    student: float
    bar: float  # the score to beat (current + margin) or to reach (min_score)
    current: float | None  # the registered adapter's score, when there is one
    adapter_name: str
    server: str | None
    registered: bool = False
    path: str | None = None  # the run directory registered


def decide(comparison: Comparison, metric: str, cfg: PromoteConfig) -> Decision:
    """Apply the rule to the comparison ("current" is present when an adapter is registered under the name)."""
    student = comparison.score("student", metric)
    if "current" in comparison.vs_teacher:
        current = comparison.score("current", metric)
        bar = current + cfg.margin
        wins = student > bar
        than = f"the current '{cfg.adapter_name}' ({current:.3f}" + (f" + margin {cfg.margin})" if cfg.margin else ")")
        verb = "beats" if wins else "does not beat"
        return Decision(wins, f"student {metric} {student:.3f} {verb} {than}", metric, student, bar, current,
                        cfg.adapter_name, cfg.server)  # fmt: skip
    bar = cfg.min_score
    wins = student >= bar
    verb = "reaches" if wins else "is below"
    reason = f"student {metric} {student:.3f} {verb} min_score {bar:.3f} (no adapter '{cfg.adapter_name}' yet)"
    return Decision(wins, reason, metric, student, bar, None, cfg.adapter_name, cfg.server)


def register(client: ServerClient, name: str, path: str, replace: bool) -> None:
    """Load the adapter at `path` under `name`, replacing the registered one when `replace`.

    The server swaps atomically: it loads the new adapter beside the old, then moves the name, so a server that
    cannot load it (another base, a broken adapter) refuses with the running adapter untouched, and `name` is
    answered throughout.
    """
    client.load_adapter(name, path, replace=replace)
