"""`tunesmith data inspect|convert`: look at a data file the way training will, or change its format."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from tunesmith.cli.console import RichProgress, console, table

app = typer.Typer(help="Inspect and convert data files.", no_args_is_help=True)


@app.command("inspect")
def inspect_command(
    file: Path = typer.Argument(..., help="JSONL, JSON, CSV or Parquet file."),
    format: str = typer.Option("auto", help="auto, openai, sharegpt, alpaca, dolly or prompt_completion."),
    model: str = typer.Option("smollm2-135m", help="Whose tokenizer and chat template to measure with."),
) -> None:
    """Detected format, counts, token lengths, and the first example with trained tokens highlighted."""
    from tunesmith.data.inspect import inspect_file
    from tunesmith.models.loading import load_tokenizer
    from tunesmith.models.resolve import resolve_model

    found = inspect_file(file, load_tokenizer(resolve_model(model, RichProgress())), format)
    console.print(f"[bold]{found.path}[/bold]: format [cyan]{found.format}[/cyan], {found.records} records")
    console.print("turns by role: " + ", ".join(f"{k} {v}" for k, v in found.turns.items()))
    lengths = [[k, str(v)] for k, v in found.token_lengths.items()]
    console.print(table(f"Tokens per record ({model})", ["statistic", "tokens"], lengths))
    share = found.trained_tokens / max(found.total_tokens, 1)
    console.print(f"trained tokens: {found.trained_tokens:,} of {found.total_tokens:,} ({share:.0%})")
    console.print("\nFirst example ([reverse green]trained tokens[/reverse green] highlighted):")
    example = Text()
    for text, trained in found.first_example:
        example.append(text, style="reverse green" if trained else "dim")
    console.print(example)


@app.command("convert")
def convert_command(
    file: Path = typer.Argument(..., help="Input data file (any supported format)."),
    to: str = typer.Option(..., "--to", help="openai, alpaca or sharegpt."),
    out: Path = typer.Option(..., "--out", help="Output file (.jsonl, .json, .csv or .parquet)."),
    format: str = typer.Option("auto", help="Input format (default: detect)."),
) -> None:
    """Convert a data file between chat formats."""
    from tunesmith.data.loading import convert_file

    count = convert_file(file, out, to, format)
    console.print(f"Wrote {count} records to {out} ({to})")
