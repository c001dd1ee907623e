"""`tunesmith bench methods`: the same recipe once per fine-tuning method, side by side."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console

app = typer.Typer(help="Measured comparisons.", no_args_is_help=True)


@app.command("methods")
def methods_command(
    recipe: Path = typer.Argument(Path("examples/quickstart/recipe.yaml"), help="Recipe with an eval.file."),
    methods: str = typer.Option(None, help="Comma-separated (default: all); see tunesmith.benchmarks.methods."),
    steps: int = typer.Option(30, min=1, help="Optimizer steps per method."),
    eval_limit: int = typer.Option(50, "--eval-limit", min=1, help="Eval examples per method."),
    metric: str = typer.Option("field_accuracy", help="The task metric column (from the eval report)."),
    out: Path = typer.Option(Path("runs/bench-methods"), help="Folder for the runs and results.md/json."),
) -> None:
    """Train and score each method; write results.md and results.json and print the table."""
    from tunesmith.atomic import write_text
    from tunesmith.benchmarks.methods import METHOD_VARIANTS, bench_methods, markdown_table

    names = methods.split(",") if methods else list(METHOD_VARIANTS)
    rows = bench_methods(recipe, names, out, steps, eval_limit, metric, RichProgress())
    table = markdown_table(rows, metric)
    write_text(out / "results.md", table)
    write_text(out / "results.json", json.dumps([asdict(r) for r in rows], indent=2))
    console.print(table, markup=False, highlight=False)
    console.print(f"Results: {out / 'results.md'}")
