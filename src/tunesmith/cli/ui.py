"""`tunesmith ui`: the web UI on a server that serves the base model, fine-tunes it and logs its traffic."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress

DEFAULT_WORKSPACE = Path("tunesmith-workspace")


def ui_command(
    model: str = typer.Argument("smollm2-135m", help="Base model to serve, chat with and fine-tune."),
    workspace: Path = typer.Option(
        DEFAULT_WORKSPACE, "--workspace", help="Folder the UI keeps its data, runs, jobs, tasks and traffic in."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535),
    keys_file: Path = typer.Option(
        None,
        "--keys-file",
        help="Accepted keys (`admin KEY` per line; the UI needs an admin key); also TUNESMITH_ADMIN_KEYS.",
    ),
    key_secret_file: Path = typer.Option(None, "--key-secret-file", help="As for `tunesmith serve`."),
    max_tokens: int = typer.Option(512, "--max-tokens", min=1, help="Most tokens a chat request may ask for."),
    max_upload: int = typer.Option(100_000_000, "--max-upload", min=1024, help="Largest data upload, in bytes."),
) -> None:
    """Open the web UI at http://HOST:PORT/ui/: data, training, runs, chat, arena, export and traffic."""
    from tunesmith.serve.launch import ServeOptions, serve
    from tunesmith.ui.app import mount_ui
    from tunesmith.ui.workspace import Workspace

    space = Workspace.open(workspace)
    options = ServeOptions(
        model=model,
        host=host,
        port=port,
        keys_file=keys_file,
        key_secret_file=key_secret_file,
        adapter_roots=[space.area("runs")],
        store=space.store_url,
        max_tokens=max_tokens,
        max_upload=max_upload,
        fine_tuning=space.fine_tuning_root,
    )
    progress = RichProgress()
    progress.note(f"Web UI on http://{host}:{port}/ui/ (workspace {space.root})")
    serve(options, progress, extend=lambda app: mount_ui(app, space))
