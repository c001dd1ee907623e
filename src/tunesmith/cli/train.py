"""`tunesmith train RECIPE [key=value ...] [--resume]`: fine-tune, then evaluate before/after if the recipe says."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console
from tunesmith.cli.evaluation import print_comparison
from tunesmith.config import load_recipe


def train_command(
    recipe: Path = typer.Argument(..., help="Recipe YAML file."),
    overrides: list[str] = typer.Argument(None, help="Overrides like train.learning_rate=1e-4."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the run's last checkpoint."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run directory of the same name."),
    evaluate: bool = typer.Option(True, "--eval/--no-eval", help="Run the recipe's eval section afterwards."),
) -> None:
    """Fine-tune a model as the recipe describes; writes runs/<name>/ (a chain: every stage under stages/)."""
    from tunesmith.eval.compare import compare
    from tunesmith.runs import RunDir
    from tunesmith.train.chain import is_chain
    from tunesmith.train.run import train

    progress = RichProgress()
    if is_chain(recipe):
        _train_chain(recipe, overrides or [], resume, overwrite, evaluate, progress)
        return
    cfg = load_recipe(recipe, overrides or [])
    result = train(cfg, resume=resume, overwrite=overwrite, progress=progress)
    console.print(
        f"[green]Trained[/green] {result.steps} steps in {result.train_seconds:.0f}s ({result.precision}); "
        f"trainable {result.trainable_params:,} of {result.total_params:,} parameters; "
        f"best validation loss {result.best_eval_loss}. Run: {result.run_dir}"
    )
    if evaluate and cfg.eval.file is not None:
        run = RunDir(Path(result.run_dir))
        results, _ = compare(run.root, cfg.eval.file, cfg.eval, run.eval_dir, cfg.eval.baseline, progress)
        print_comparison(results, run.eval_dir)


def _train_chain(recipe: Path, overrides: list[str], resume: bool, overwrite: bool, evaluate: bool, progress) -> None:
    from tunesmith.train.chain import evaluate_chain, load_chain, train_chain

    recipes = load_chain(recipe, overrides)
    root, results = train_chain(recipes, resume=resume, overwrite=overwrite, progress=progress)
    for stage, result in zip(recipes, results):
        console.print(
            f"[green]Stage {stage.output.name}[/green]: {result['steps']} steps in {result['train_seconds']:.0f}s; "
            f"held-out {result.get('held_out') or {}}"
        )
    console.print(f"Chain: {root}")
    if evaluate and recipes[-1].eval.file is not None:
        results, _ = evaluate_chain(recipes, progress)
        print_comparison(results, root / "eval")
