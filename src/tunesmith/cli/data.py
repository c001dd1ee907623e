"""`tunesmith data inspect|convert|run|report`: look at data, change its format, clean it, validate it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from tunesmith.cli.console import RichProgress, console, table

app = typer.Typer(help="Inspect, convert, clean and validate data files.", no_args_is_help=True)


@app.command("inspect")
def inspect_command(
    file: Path = typer.Argument(..., help="JSONL, JSON, CSV or Parquet file."),
    format: str = typer.Option(
        "auto",
        help="auto, openai, sharegpt, alpaca, dolly, prompt_completion; preference: preference, "
        "sharegpt_preference, ultrafeedback, kto.",
    ),
    model: str = typer.Option("smollm2-135m", help="Whose tokenizer and chat template to measure with."),
    max_length: int = typer.Option(
        1024, "--max-length", help="Count records longer than this many tokens (train.max_length; default 1024)."
    ),
    columns: list[str] = typer.Option(
        None, "--columns", help="Map a standard field to your column, as data.columns does: messages=dialog (repeat)."
    ),
) -> None:
    """Detected format, counts, token lengths, and the first example with trained tokens highlighted."""
    from tunesmith.data.inspect import inspect_file
    from tunesmith.models.loading import load_tokenizer
    from tunesmith.models.resolve import resolve_model

    tokenizer = load_tokenizer(resolve_model(model, RichProgress()))
    found = inspect_file(file, tokenizer, format, _options(columns), max_length=max_length)
    console.print(f"[bold]{found.path}[/bold]: format [cyan]{found.format}[/cyan], {found.records} records")
    console.print("turns by role: " + ", ".join(f"{k} {v}" for k, v in found.turns.items()))
    if found.keys:
        read, kept = (", ".join(found.keys[part]) or "none" for part in ("read", "kept in meta"))
        console.print(f"record keys: read {read}; kept in meta {kept}; ignored none")
    if found.counts:
        console.print(", ".join(f"{k} {v}" for k, v in found.counts.items()))
    lengths = [[k, str(v)] for k, v in found.token_lengths.items()]
    console.print(table(f"Tokens per record ({model})", ["statistic", "tokens"], lengths))
    share = found.trained_tokens / max(found.total_tokens, 1)
    console.print(f"trained tokens: {found.trained_tokens:,} of {found.total_tokens:,} ({share:.0%})")
    if found.overlong is not None:
        console.print(_overlong_text(found.overlong))
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
    columns: list[str] = typer.Option(
        None, "--columns", help="Map a standard field to your column, as data.columns does: messages=dialog (repeat)."
    ),
    desirable_only: bool = typer.Option(
        False, "--desirable-only", help="KTO data (a true/false label): write only the replies labelled true."
    ),
) -> None:
    """Convert a data file between chat formats."""
    from tunesmith.data.loading import convert_file

    options = _options(columns, kto_labels="desirable_only" if desirable_only else "refuse")
    count = convert_file(file, out, to, format, options)
    console.print(f"Wrote {count} records to {out} ({to})")


def _options(columns: list[str] | None, **extra):
    """FormatOptions from `--columns standard=yours` (repeatable), the CLI form of a recipe's `data.columns`."""
    from tunesmith.data.formats import FormatOptions
    from tunesmith.errors import InputError

    mapping = {}
    for item in columns or []:
        standard, sep, theirs = item.partition("=")
        if not sep or not standard.strip() or not theirs.strip():
            raise InputError("--columns", f"expected STANDARD=YOURS, e.g. --columns messages=dialog; got {item!r}")
        mapping[standard.strip()] = theirs.strip()
    return FormatOptions(columns=mapping, **extra)


@app.command("run")
def run_command(
    pipeline: Path = typer.Argument(..., help="Pipeline YAML: inputs, output folder, ops, report settings."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when a report check fails."),
) -> None:
    """Apply the pipeline's ops in order; write the dataset, report.json and report.html to its output folder."""
    from tunesmith.data.pipeline import run_pipeline

    result = run_pipeline(pipeline, RichProgress())
    _show_steps(result.report["steps"])
    written = ", ".join(f"{name}.jsonl ({count:,} records)" for name, count in result.records.items())
    console.print(f"Wrote {written} and report.html to {result.output}")
    _show_checks(result.report, strict)


@app.command("report")
def report_command(
    file: Path = typer.Argument(..., help="Data file (any supported format) or a folder of documents."),
    config: Path = typer.Option(None, help="Report settings: a YAML of report keys, or a pipeline with `report:`."),
    out: Path = typer.Option(None, help="Folder for report.json and report.html (default: FILE's stem + -report)."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when a check fails."),
) -> None:
    """Run the five validation checks on a dataset and write report.json and report.html."""
    from tunesmith.data.report_file import report_file

    out = out or file.with_name(f"{file.stem}-report")
    report = report_file(file, config, out)
    console.print(f"Wrote report.html and report.json to {out}")
    _show_checks(report, strict)


def _overlong_text(over) -> str:
    """One line on the records over --max-length: how many, the tokens truncation would cut, the first one."""
    from rich.markup import escape

    head = f"over max-length {over.max_length:,}"
    if not over.overlong:
        return f"{head}: none (longest {over.longest:,} tokens)"
    text = f"[yellow]{head}: {over.overlong:,} of {over.records:,} records[/yellow], {over.tokens_lost:,} tokens cut"
    if over.trained_tokens_lost is not None:
        text += f" ({over.trained_tokens_lost:,} of them trained)"
    if over.emptied:
        text += f", {over.emptied:,} left with no trained token"
    return text + f"; longest {over.longest:,}, first: {escape(over.first[0])} ({over.first[1]:,} tokens)"


def _show_steps(steps: list[dict]) -> None:
    """One row per op: records in, kept, changed, added, removed (with reasons)."""
    rows = []
    for step in steps:
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in step["removed"].items()) or "-"
        numbers = [step["records_in"], step["kept"], step["changed"], step["added"]]
        rows.append([step["op"], *(f"{n:,}" for n in numbers), reasons, f"{step['seconds']:.1f}"])
    header = ["op", "in", "kept", "changed", "added", "removed", "seconds"]
    console.print(table("Pipeline steps", header, rows))


def _show_checks(report: dict, strict: bool) -> None:
    """The five checks with figure, threshold and status; with `strict`, a failed check exits with status 1."""
    from tunesmith.data.report import failed_checks

    colours = {"pass": "green", "fail": "red", "skipped": "yellow"}
    rows = [
        [c["name"], str(c["figure"]), str(c["threshold"]), f"[{colours[c['status']]}]{c['status']}[/]"]
        for c in report["checks"]
    ]
    console.print(table("Checks", ["check", "figure", "threshold", "status"], rows))
    failed = failed_checks(report)
    if strict and failed:
        console.print(f"[red]--strict: {len(failed)} check(s) failed: {', '.join(failed)}[/red]")
        raise typer.Exit(1)
