"""`tunesmith jobs create|list|show|events|cancel|pause|resume`: fine-tuning jobs on a tunesmith server.

The commands speak OpenAI's fine-tuning API through the `openai` client, so they work against any server that
offers it (`tunesmith serve --fine-tuning DIR`, local or remote). The key is read from the environment, never
from the command line, where other users of the machine could read it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from tunesmith.cli.console import console
from tunesmith.errors import InputError

app = typer.Typer(help="Fine-tuning jobs on a tunesmith server (OpenAI's fine-tuning API).", no_args_is_help=True)

BASE_URL = typer.Option(
    "http://127.0.0.1:8000/v1", "--base-url", envvar="TUNESMITH_BASE_URL", help="The server's API root (…/v1)."
)
KEY_ENV = typer.Option(
    "TUNESMITH_API_KEY", "--key-env", help="Environment variable holding the API key (unset: no key is sent)."
)
TERMINAL = ("succeeded", "failed", "cancelled")


def say(*objects) -> None:
    """One line as is: ids and model names are never wrapped or highlighted."""
    console.print(*objects, soft_wrap=True, highlight=False)


def client(base_url: str, key_env: str):
    """An OpenAI client for the server, with the key from `key_env` (or OPENAI_API_KEY)."""
    from openai import OpenAI

    key = os.environ.get(key_env) or os.environ.get("OPENAI_API_KEY") or "none"
    return OpenAI(base_url=base_url, api_key=key, max_retries=2, timeout=120)


def call(action):
    """Run an API call; the server's refusal becomes a clear error (exit 2), naming what it refused."""
    import openai

    try:
        return action()
    except openai.APIStatusError as exc:
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message") or str(exc)
        where = f"server ({exc.status_code}" + (f", {body['param']}" if body.get("param") else "") + ")"
        raise InputError(where, message) from None
    except openai.APIConnectionError:
        raise InputError(
            "--base-url", "cannot reach the server; is `tunesmith serve --fine-tuning DIR` running?"
        ) from None


@app.command("create")
def create_command(
    training_file: str = typer.Argument(..., help="A JSONL file to upload, or the id of an uploaded one (file-…)."),
    model: str = typer.Option(..., "--model", help="The base model to fine-tune (the server's served model)."),
    method: str = typer.Option("supervised", "--method", help="supervised, dpo or reinforcement."),
    validation_file: str = typer.Option(None, "--validation-file", help="A JSONL file or file id to evaluate on."),
    epochs: int = typer.Option(None, "--epochs", min=1, help="n_epochs (default: auto)."),
    batch_size: int = typer.Option(None, "--batch-size", min=1, help="batch_size (default: auto)."),
    lr_multiplier: float = typer.Option(None, "--lr-multiplier", help="learning_rate_multiplier (default: auto)."),
    beta: float = typer.Option(None, "--beta", help="dpo: beta (default: auto)."),
    suffix: str = typer.Option(None, "--suffix", help="Part of the fine-tuned model's name."),
    seed: int = typer.Option(None, "--seed"),
    wait: bool = typer.Option(False, "--wait", help="Follow the job's events until it ends."),
    base_url: str = BASE_URL,
    key_env: str = KEY_ENV,
) -> None:
    """Upload the data (when given a path) and queue a fine-tuning job."""
    if method == "reinforcement":
        raise InputError("--method reinforcement", "needs a grader object; create it through the API")
    api = client(base_url, key_env)
    hyperparameters = {
        k: v
        for k, v in {"n_epochs": epochs, "batch_size": batch_size, "learning_rate_multiplier": lr_multiplier}.items()
        if v is not None
    }
    if beta is not None:
        hyperparameters["beta"] = beta
    training = _file_id(api, training_file)
    validation = _file_id(api, validation_file) if validation_file else None
    options = {"suffix": suffix, "seed": seed, "validation_file": validation}
    job = call(
        lambda: api.fine_tuning.jobs.create(
            model=model,
            training_file=training,
            method={"type": method, method: {"hyperparameters": hyperparameters}},
            **{k: v for k, v in options.items() if v is not None},
        )
    )
    say(f"Queued [bold]{job.id}[/bold] ({job.method.type}, {_hyperparameters(job)})")
    if wait:
        _follow(api, job.id)


@app.command("list")
def list_command(
    limit: int = typer.Option(20, "--limit", min=1, max=100), base_url: str = BASE_URL, key_env: str = KEY_ENV
) -> None:
    """Your jobs, newest first."""
    api = client(base_url, key_env)
    jobs = call(lambda: api.fine_tuning.jobs.list(limit=limit)).data
    for job in jobs:  # one line each, never wrapped: ids and model names are for copying
        method = job.method.type if job.method else ""
        say(f"{job.id}  {job.status:<10} {method:<13} {_when(job.created_at)}  {job.fine_tuned_model or ''}")


@app.command("show")
def show_command(job_id: str, base_url: str = BASE_URL, key_env: str = KEY_ENV) -> None:
    """One job: status, resolved hyperparameters, model, checkpoints."""
    api = client(base_url, key_env)
    job = call(lambda: api.fine_tuning.jobs.retrieve(job_id))
    say(f"[bold]{job.id}[/bold]: {job.status}  model {job.model}  ({job.method.type}, {_hyperparameters(job)})")
    if job.fine_tuned_model:
        say(f"fine-tuned model: {job.fine_tuned_model}")
    if job.error and job.error.message:
        say(f"[red]error[/red] ({job.error.code}): {job.error.message}")
    checkpoints = call(lambda: api.fine_tuning.jobs.checkpoints.list(job_id)).data
    for checkpoint in checkpoints:
        loss = _loss(checkpoint.metrics.train_loss)
        say(f"checkpoint at step {checkpoint.step_number}: {checkpoint.fine_tuned_model_checkpoint}  train loss {loss}")


@app.command("events")
def events_command(
    job_id: str,
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new events until the job ends."),
    base_url: str = BASE_URL,
    key_env: str = KEY_ENV,
) -> None:
    """The job's events, oldest first."""
    api = client(base_url, key_env)
    if follow:
        _follow(api, job_id)
        return
    for event in reversed(call(lambda: api.fine_tuning.jobs.list_events(job_id, limit=1000)).data):
        _print_event(event)


@app.command("cancel")
def cancel_command(job_id: str, base_url: str = BASE_URL, key_env: str = KEY_ENV) -> None:
    """Cancel: at once if waiting, else at the next step boundary."""
    api = client(base_url, key_env)
    say(f"{job_id}: {call(lambda: api.fine_tuning.jobs.cancel(job_id)).status}")


@app.command("pause")
def pause_command(job_id: str, base_url: str = BASE_URL, key_env: str = KEY_ENV) -> None:
    """Pause at the next step boundary, with a checkpoint to resume from."""
    api = client(base_url, key_env)
    say(f"{job_id}: {call(lambda: api.fine_tuning.jobs.pause(job_id)).status} (pausing at the next step)")


@app.command("resume")
def resume_command(job_id: str, base_url: str = BASE_URL, key_env: str = KEY_ENV) -> None:
    """Resume a paused job from its checkpoint."""
    api = client(base_url, key_env)
    say(f"{job_id}: {call(lambda: api.fine_tuning.jobs.resume(job_id)).status}")


def _file_id(api, given: str) -> str:
    """`given` if it is a file id, else the id of the file at that path, uploaded now."""
    if given.startswith("file-"):
        return given
    path = Path(given)
    if not path.is_file():
        raise InputError(given, "no such file; expected a JSONL file or an uploaded file's id (file-…)")
    with path.open("rb") as handle:
        uploaded = call(lambda: api.files.create(file=(path.name, handle.read()), purpose="fine-tune"))
    say(f"Uploaded {path.name} as {uploaded.id} ({uploaded.bytes:,} bytes)")
    return uploaded.id


def _follow(api, job_id: str) -> None:
    seen: set[str] = set()
    while True:
        page = call(lambda: api.fine_tuning.jobs.list_events(job_id, limit=100)).data
        for event in reversed(page):
            if event.id not in seen:
                seen.add(event.id)
                _print_event(event)
        job = call(lambda: api.fine_tuning.jobs.retrieve(job_id))
        if job.status in (*TERMINAL, "paused"):
            say(f"{job.id}: {job.status}" + (f", model {job.fine_tuned_model}" if job.fine_tuned_model else ""))
            return
        time.sleep(2)


def _print_event(event) -> None:
    from rich.text import Text

    style = {"warn": "yellow", "error": "red"}.get(event.level, "")
    say(Text(f"{_when(event.created_at)}  {event.message}", style=style))


def _hyperparameters(job) -> str:
    section = getattr(job.method, job.method.type, None) if job.method else None
    values = section.hyperparameters.model_dump(exclude_none=True) if section and section.hyperparameters else {}
    return ", ".join(f"{k} {v}" for k, v in values.items())


def _when(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def _loss(value: float | None) -> str:
    return f"{value:.4f}" if value is not None else ""
