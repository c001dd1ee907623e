"""`tunesmith logs list|show|export`: read the request log and curate it into training data."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tunesmith.cli.console import console, table

if TYPE_CHECKING:
    from tunesmith.serve.logfilter import LogFilter

app = typer.Typer(
    help="List, show and export logged requests (the store `tunesmith serve` writes).", no_args_is_help=True
)

STORE = typer.Option("tunesmith-logs.db", "--store", help="SQLite file path or SQLAlchemy URL.")
FILTERS = {  # the options that pick logged requests, in build_filter's order
    "since": typer.Option(None, "--since", help="From this UTC time (ISO date/time) or span ago (7d, 12h, 30m)."),
    "until": typer.Option(None, "--until", help="Before this UTC time (ISO) or span ago."),
    "model": typer.Option(None, "--model", help="Only this model or adapter name."),
    "tag": typer.Option(None, "--tag", help="Only requests with this tag."),
    "feedback": typer.Option(None, "--feedback", help="Only requests with feedback: up, down, corrected, any or none."),
    "endpoint": typer.Option(
        None, "--endpoint", help="chat or completions (export: chat, or completions when the log holds only those)."
    ),
}


def filtered(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command` the filter options in place of its `where` parameter, and call it with them as a LogFilter.

    Typer reads a command's options from its signature; this one signature stands for both `list` and `export`.
    """
    params = list(inspect.signature(command).parameters.values())
    at = next(i for i, p in enumerate(params) if p.name == "where")
    keyword = inspect.Parameter.KEYWORD_ONLY
    options = [inspect.Parameter(name, keyword, default=option, annotation=str) for name, option in FILTERS.items()]

    @functools.wraps(command)
    def run(**values: Any) -> None:
        from tunesmith.serve.logfilter import build_filter

        where = build_filter(*(values.pop(name) for name in FILTERS))
        command(where=where, **values)

    run.__signature__ = inspect.Signature(params[:at] + options + params[at + 1 :])  # type: ignore[attr-defined]
    hints = {name: hint for name, hint in command.__annotations__.items() if name != "where"}
    run.__annotations__ = {**hints, **dict.fromkeys(FILTERS, str)}
    return run


@app.command("list")
@filtered
def list_command(
    *,
    store: str = STORE,
    where: LogFilter,
    limit: int = typer.Option(20, min=1, help="Newest N requests."),
) -> None:
    """The newest logged requests, with tokens, latency, status and feedback."""
    from tunesmith.serve.store import open_store

    rows = open_store(store, must_exist=True).query(where, limit=limit, newest_first=True)
    header = ["id", "UTC", "model", "tokens", "ms", "status", "prompt"]
    body = [
        [
            r.id,
            r.created_at.strftime("%m-%d %H:%M"),
            r.model,
            f"{r.prompt_tokens}+{r.completion_tokens}",
            f"{r.latency_ms:.0f}",
            r.status + (f" {_feedback(r)}" if _feedback(r) else ""),
            _snippet(r.messages[-1]["content"] if r.messages else r.prompt or ""),
        ]
        for r in rows
    ]
    shown = table(f"{len(rows)} logged requests", header, body)
    for column in shown.columns[:-1]:  # ids are what `logs show` takes: keep every field but the prompt whole
        column.no_wrap = True
    console.print(shown)


@app.command("show")
def show_command(
    request_id: str = typer.Argument(..., help="A response id (chatcmpl-… or cmpl-…)."), store: str = STORE
):
    """One logged request in full, with its feedback, as JSON."""
    from dataclasses import asdict

    from tunesmith.errors import InputError
    from tunesmith.serve.store import open_store

    log = open_store(store, must_exist=True)
    entry = log.get(request_id)
    if entry is None:
        raise InputError(request_id, f"no logged request with this id in {log.url}")  # its password masked
    console.print_json(json.dumps(asdict(entry), default=str, ensure_ascii=False))


@app.command("export")
@filtered
def export_command(
    *,
    format: str = typer.Option(..., "--format", help="sft, preference or kto."),
    out: Path = typer.Option(..., "--out", help="JSONL file to write (atomically)."),
    store: str = STORE,
    where: LogFilter,
) -> None:
    """Write matching requests as a training dataset; corrected answers replace the logged ones."""
    from dataclasses import replace

    from tunesmith.serve.export import export_logs
    from tunesmith.serve.store import open_store

    log = open_store(store, must_exist=True)
    if where.endpoint is None:  # one dataset holds one shape: chat (as the flywheel learns from), unless the
        served = {entry.endpoint for entry in log.query(replace(where, status="ok"))}  # log has only completions
        where = replace(where, endpoint="completions" if served == {"completions"} else "chat")
    count = export_logs(log, where, format, out)
    console.print(f"Wrote {count} {format} rows from {where.endpoint} requests to {out}")


def _feedback(entry) -> str:
    return "corrected" if entry.correction is not None else (entry.rating or "")


def _snippet(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
