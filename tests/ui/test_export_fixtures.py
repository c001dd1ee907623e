"""A real LoRA run of the tiny model, trained in the test and placed in a UI workspace's `runs/`, for the Export
and Arena pages (they run `tunesmith export merge` and `tunesmith arena` on it)."""

from __future__ import annotations

from pathlib import Path


def train_tiny_lora(workspace: Path, model_dir: Path, name: str = "tiny-lora") -> str:
    """Train 2 steps of LoRA on the workspace's data/chat.jsonl into runs/<name>; its workspace-relative path."""
    from tunesmith.config import validate_recipe
    from tunesmith.train.run import train

    recipe = validate_recipe(
        {
            "model": str(model_dir),
            "data": {"train": str(workspace / "data" / "chat.jsonl")},
            "method": {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
            "train": {"max_steps": 2, "batch_size": 4, "learning_rate": 1e-3, "logging_steps": 1},
            "output": {"dir": str(workspace / "runs"), "name": name},
        }
    )
    train(recipe)
    return f"runs/{name}"


def fits_phone(page) -> bool:
    """At 390 px the page itself does not scroll sideways (wide tables scroll in their own box)."""
    page.set_viewport_size({"width": 390, "height": 844})
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
