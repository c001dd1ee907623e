"""Fine-tuning methods, one module each, found by name; each ends with `METHOD = Method(...)` (see base.py).

A method's recipe keys are its config class in `tunesmith/config/methods.py` (the module's `Config`).
"""

from __future__ import annotations

from tunesmith.schema import find_module
from tunesmith.train.methods.base import Method, TrainingPlan

__all__ = ["Method", "TrainingPlan", "apply_method", "count_parameters", "find_method"]


def find_method(name: str) -> Method:
    """The method called `name` (the recipe has checked the name; else a ValueError with a did-you-mean)."""
    method = find_module(__name__, name, "method").METHOD
    if not isinstance(method, Method):
        raise TypeError(f"tunesmith.train.methods.{name}.METHOD is not a Method")
    return method


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable, total


def apply_method(model, cfg, plan: TrainingPlan | None = None):
    """`model` with method `cfg.name` applied (for Python users and tests; the run calls `Method.apply` itself)."""
    return find_method(cfg.name).apply(model, cfg, plan or TrainingPlan(total_steps=1, learning_rate=2e-4))
