"""`tunesmith export merge RUN --out DIR`: a standalone merged model."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console

app = typer.Typer(help="Export trained runs.", no_args_is_help=True)


@app.command("merge")
def merge_command(
    run: Path = typer.Argument(..., help="A finished run directory."),
    out: Path = typer.Option(..., "--out", help="Folder for the merged safetensors model."),
) -> None:
    """Merge the run's adapter into its base model; plain transformers loads the result without PEFT."""
    from tunesmith.export.merge import merge_run

    merge_run(run, out, RichProgress())
    console.print(f"Merged model: {out}")
