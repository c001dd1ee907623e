"""`tunesmith train RECIPE [key=value ...] [--resume] [--nproc N] [--seeds N]`: fine-tune, then evaluate
before/after."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, number, table
from tunesmith.cli.evaluation import print_comparison
from tunesmith.config import load_recipe


def train_command(
    recipe: Path = typer.Argument(..., help="Recipe YAML file."),
    overrides: list[str] = typer.Argument(None, help="Overrides like train.learning_rate=1e-4."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the run's last checkpoint."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run directory of the same name."),
    evaluate: bool = typer.Option(True, "--eval/--no-eval", help="Run the recipe's eval section afterwards."),
    nproc: int = typer.Option(1, "--nproc", min=1, help="Data-parallel processes (torchrun; gloo on CPU, NCCL on GPU)"),
    seeds: int = typer.Option(
        None, "--seeds", min=1, help="Train N runs, seeds train.seed+0…N-1 (<name>-seeds/), and report mean ± spread."
    ),
) -> None:
    """Fine-tune a model as the recipe describes; writes runs/<name>/ (a chain: every stage under stages/)."""
    from tunesmith.progress import SILENT
    from tunesmith.train import distributed
    from tunesmith.train.chain import is_chain

    overrides = overrides or []
    if seeds is not None:
        _train_seeds(recipe, overrides, seeds, overwrite, evaluate, nproc)
        return
    if nproc > 1 and distributed.world_size() == 1:
        _launch(nproc, recipe, overrides, resume, overwrite, evaluate)
        return
    progress = RichProgress() if distributed.is_main() else SILENT
    if not distributed.is_main():
        console.quiet = True  # torchrun's other ranks train silently; rank 0 reports
    if is_chain(recipe):
        _train_chain(recipe, overrides, resume, overwrite, progress)
    elif not _train_one(recipe, overrides, resume, overwrite, progress):
        return  # resumed a finished run: nothing trained, so nothing to evaluate again
    if evaluate and distributed.world_size() == 1:  # under torchrun, the launching process evaluates
        _evaluate_finished(recipe, overrides)


def _train_one(recipe: Path, overrides: list[str], resume: bool, overwrite: bool, progress) -> bool:
    """Train the recipe; False when `--resume` found the run already complete (nothing trained)."""
    from tunesmith.models.resolve import resolve_model

    cfg = load_recipe(recipe, overrides)
    resolve_model(cfg.model, progress)  # a bad or unreachable model fails in seconds, before training libraries load
    from tunesmith.train.run import train

    result = train(cfg, resume=resume, overwrite=overwrite, progress=progress)
    if result.already_complete:
        console.print(
            f"Run {result.run_dir} is already complete ({result.steps} steps); nothing to resume. "
            "To train further raise train.max_steps; to start again pass --overwrite."
        )
        return False
    console.print(
        f"[green]Trained[/green] {result.steps} steps in {result.train_seconds:.0f}s ({result.precision}); "
        f"trainable {result.trainable_params:,} of {result.total_params:,} parameters; "
        f"best validation loss {number(result.best_eval_loss)}. Run: {result.run_dir}"
    )
    return True


def _train_seeds(recipe: Path, overrides: list[str], n: int, overwrite: bool, evaluate: bool, nproc: int) -> None:
    """Train the recipe once per seed (finished seeds kept) and print each metric's mean ± spread."""
    from tunesmith.errors import InputError
    from tunesmith.eval.seeds import SUMMARY_MD, summary_header, summary_rows
    from tunesmith.train.chain import is_chain
    from tunesmith.train.seeds import train_seeds

    if nproc > 1 or is_chain(recipe):
        raise InputError("--seeds", "repeats one single-process run: drop --nproc, or train a chain's stages alone")
    result = train_seeds(load_recipe(recipe, overrides), n, overwrite, evaluate, RichProgress())
    console.print(
        table(
            f"{n} seeds (trained {len(result.trained)}, kept {len(result.kept)})",
            summary_header(result.summary),
            summary_rows(result.summary),
        )
    )
    console.print(f"Runs and summary: {result.folder} ({SUMMARY_MD})")


def _train_chain(recipe: Path, overrides: list[str], resume: bool, overwrite: bool, progress) -> None:
    from tunesmith.train.chain import load_chain, train_chain

    recipes = load_chain(recipe, overrides)
    root, results = train_chain(recipes, resume=resume, overwrite=overwrite, progress=progress)
    for stage, result in zip(recipes, results):
        console.print(
            f"[green]Stage {stage.output.name}[/green]: {result['steps']} steps in {result['train_seconds']:.0f}s; "
            "held-out " + (", ".join(f"{k} {number(v)}" for k, v in (result.get("held_out") or {}).items()) or "-")
        )
    console.print(f"Chain: {root}")


def _launch(nproc: int, recipe: Path, overrides: list[str], resume: bool, overwrite: bool, evaluate: bool) -> None:
    """Train in `nproc` torchrun processes, then evaluate the finished run once, in this process."""
    from tunesmith.train.distributed import launch

    args = ["train", str(recipe), *overrides, "--no-eval"]
    args += ["--resume"] if resume else []
    args += ["--overwrite"] if overwrite else []
    status = launch(nproc, args)
    if status != 0:
        raise typer.Exit(status)
    if evaluate:
        _evaluate_finished(recipe, overrides)


def _evaluate_finished(recipe: Path, overrides: list[str]) -> None:
    """The recipe's eval section on the trained run (a chain: the base and every stage side by side)."""
    from tunesmith.eval.compare import compare
    from tunesmith.runs import RunDir
    from tunesmith.train.chain import chain_root, evaluate_chain, is_chain, load_chain

    progress = RichProgress()
    if is_chain(recipe):
        recipes = load_chain(recipe, overrides)
        if recipes[-1].eval.file is not None:
            results, _ = evaluate_chain(recipes, progress)
            print_comparison(results, chain_root(recipes) / "eval")
        return
    cfg = load_recipe(recipe, overrides)
    if cfg.eval.file is not None:
        run = RunDir(cfg.run_dir)
        results, _ = compare(run.root, cfg.eval.file, cfg.eval, run.eval_dir, cfg.eval.baseline, progress)
        print_comparison(results, run.eval_dir)
