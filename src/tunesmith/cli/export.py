"""`tunesmith export merge RUN --out DIR`: a standalone merged model; `merge RUN_A RUN_B … --combine`: one adapter."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console

app = typer.Typer(help="Export trained runs.", no_args_is_help=True)


@app.command("merge")
def merge_command(
    runs: list[Path] = typer.Argument(..., help="A finished run directory; two or more to combine their adapters."),
    out: Path = typer.Option(..., "--out", help="Merged model folder; when combining, the new run directory."),
    combine: str = typer.Option(
        None,
        "--combine",
        help="How to combine LoRA adapters (default with two or more runs: task_arithmetic, the exact weighted sum): "
        "task_arithmetic, svd, linear, ties, dare_linear, dare_ties, magnitude_prune (and their _svd forms).",
    ),
    weights: str = typer.Option(None, "--weights", help="Comma-separated, one per run in order (default 1 each)."),
    density: float = typer.Option(None, "--density", help="ties/dare/magnitude_prune: share of entries kept."),
    majority_sign_method: str = typer.Option(
        None, "--majority-sign-method", help="ties, dare_ties: total (default) or frequency."
    ),
    seed: int = typer.Option(0, "--seed", help="DARE's random drops follow it."),
    evaluate: bool = typer.Option(
        True, "--eval/--no-eval", help="Combining: score it beside each source on their eval files."
    ),
    probe: bool = typer.Option(True, "--probe/--no-probe", help="With --eval: also run the forgetting probe."),
    limit: int = typer.Option(None, "--limit", help="With --eval: only the first N examples (and probe prompts)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Combining: replace what is already at --out."),
) -> None:
    """Merge one run's adapter into its base model (plain transformers loads the result without PEFT), or combine
    several runs' LoRA adapters into a new run directory that chat, eval, serve and export take like any run."""
    from tunesmith.errors import InputError

    if len(runs) > 1 or combine is not None:
        from tunesmith.export.combine import Combination, parse_weights

        how = Combination(
            name=combine or "task_arithmetic",
            weights=parse_weights(weights) if weights is not None else None,
            density=density,
            majority_sign_method=majority_sign_method,
            seed=seed,
        )
        _combine(runs, out, how, evaluate, probe, limit, overwrite)
        return
    if weights is not None or density is not None or majority_sign_method is not None:
        raise InputError("--weights/--density", "these combine two or more runs; one run is merged as it is")
    from tunesmith.export.merge import merge_run

    merge_run(runs[0], out, RichProgress())
    console.print(f"Merged model: {out}")


def _combine(runs: list[Path], out: Path, how, evaluate: bool, probe: bool, limit: int | None, overwrite: bool) -> None:
    """`merge RUN_A RUN_B … --combine`: write the combined run, and print its scores beside the sources'."""
    from tunesmith.cli.console import table
    from tunesmith.export.combine import combine_runs
    from tunesmith.export.combine_eval import tables

    result = combine_runs(runs, out, how, overwrite, evaluate, probe, limit, RichProgress())
    for title, header, rows in tables(result.evaluation) if result.evaluation else []:
        console.print(table(title, header, rows))
    console.print(f"Combined run ({result.combination}, r={result.r}): {out}")
    if result.report:
        console.print(f"Report: {result.report}")
