"""`tunesmith sweep RECIPE [key=value ...] [--trials N]`: hyperparameter search over the recipe's sweep space."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, table
from tunesmith.config import load_recipe


def sweep_command(
    recipe: Path = typer.Argument(..., help="Recipe YAML file with a sweep section."),
    overrides: list[str] = typer.Argument(None, help="Overrides like sweep.trials=4."),
    trials: int = typer.Option(None, "--trials", min=1, help="Trials in all (default: sweep.trials)."),
) -> None:
    """Train one run per trial, prune the ones that trail, and write results.json and best-recipe.yaml."""
    from tunesmith.train.sweep import run_sweep

    result = run_sweep(load_recipe(recipe, overrides or []), trials, RichProgress())
    keys = [k for k in result.rows[0] if k not in {"trial", "state", "best_val_loss", "steps"}] if result.rows else []
    rows = [
        [str(r["trial"]), r["state"], _fmt(r["best_val_loss"]), str(r["steps"] or "-"), *(_fmt(r.get(k)) for k in keys)]
        for r in result.rows
    ]
    console.print(table("Sweep", ["trial", "state", "best val loss", "steps", *keys], rows))
    console.print(f"Best: {result.best_params} (val loss {result.best_value:.4f})")
    console.print(f"Best recipe: {result.sweep_dir / 'best-recipe.yaml'}")


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
