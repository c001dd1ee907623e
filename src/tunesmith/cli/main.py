"""Entry point: assembles the command groups and turns bad input into one line and exit status 2."""

from __future__ import annotations

import sys

import typer

from tunesmith.cli import (
    advise,
    arena,
    bench,
    chat,
    data,
    evaluation,
    export,
    federate,
    flywheel,
    jobs,
    logs,
    rag,
    serve,
    sweep,
    train,
    ui,
)
from tunesmith.cli.console import console, errors
from tunesmith.errors import InputError

app = typer.Typer(
    help="tunesmith: turn a generalist LLM into a specialist.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"tunesmith {version('tunesmith')}")
        raise typer.Exit()


@app.callback()
def _options(
    _: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """tunesmith: turn a generalist LLM into a specialist."""


app.command("train")(train.train_command)
app.command("sweep")(sweep.sweep_command)
app.command("eval")(evaluation.eval_command)
app.command("chat")(chat.chat_command)
app.command("generate")(chat.generate_command)
app.add_typer(data.app, name="data")
app.add_typer(export.app, name="export")
app.add_typer(rag.app, name="rag")
app.add_typer(bench.app, name="bench")
app.command("serve")(serve.serve_command)
app.add_typer(logs.app, name="logs")
app.add_typer(jobs.app, name="jobs")
app.command("flywheel")(flywheel.flywheel_command)
app.command("federate")(federate.federate_command)
app.command("arena")(arena.arena_command)
app.command("advise")(advise.advise_command)
app.command("ui")(ui.ui_command)


def main() -> None:
    """Run the CLI; an InputError prints as `error: WHERE: WHAT` and exits 2."""
    _quiet_library_bars()
    try:
        app()
    except InputError as exc:
        errors.print(f"[bold red]error:[/bold red] {exc}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(2)


def _quiet_library_bars() -> None:
    """datasets and transformers draw their own tqdm bars; the CLI shows one rich bar per task instead."""
    import datasets
    from transformers.utils import logging

    datasets.disable_progress_bars()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
