"""`tunesmith federate FED.yaml`: federated fine-tuning on Flower — simulation here, or the server / one site of a
deployment (`--mode deployment` at the server, `--client NAME` at each site)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, errors, number, table


def federate_command(
    config: Path = typer.Argument(..., help="FED.yaml: the recipe, the clients and their data, rounds, aggregation."),
    mode: str = typer.Option(None, "--mode", help="simulation or deployment (default: the file's mode)."),
    client: str = typer.Option(None, "--client", help="Run this site's SuperNode (deployment), as client NAME."),
    superlink: str = typer.Option(None, "--superlink", help="With --client: the server's host:port."),
    node_port: int = typer.Option(None, "--node-port", help="With --client: this SuperNode's local API port."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Start again, not after the last round."),
    verbose: bool = typer.Option(False, "--verbose", help="Show Flower's own log lines and the clients' output."),
) -> None:
    """Fine-tune one adapter across sites whose data never leaves them; each round's global adapter is a run."""
    from tunesmith.errors import InputError
    from tunesmith.federate import federate, load_fed_config
    from tunesmith.federate.server import FederationError

    fed = load_fed_config(config)
    logging.getLogger("flwr").setLevel(logging.INFO if verbose else logging.ERROR)
    fed.simulation.client_logs = fed.simulation.client_logs or verbose
    if mode is not None:
        if mode not in ("simulation", "deployment"):
            raise InputError("--mode", f"expected simulation or deployment, got '{mode}'")
        fed.mode = mode
    if client is not None:
        from tunesmith.federate.deployment import run_site

        console.print(f"Site '{client}': data checked; connecting to the SuperLink (Ctrl-C stops this site)")
        raise typer.Exit(run_site(fed, client, superlink, node_port))
    try:
        result = federate(fed, progress=RichProgress(), overwrite=overwrite)
    except FederationError as exc:
        errors.print(f"[bold red]federation stopped:[/bold red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    for name, why in result.dropped.items():
        console.print(f"[yellow]Left out[/yellow] client '{name}': {why}")
    rows = [
        [str(r.round), ", ".join(r.clients), str(r.examples), f"{r.bytes_down:,}", f"{r.bytes_up:,}"]
        + [number(r.mean_client_loss)]
        for r in result.rounds
    ]
    header = ["round", "clients", "examples", "bytes down", "bytes up", "mean client loss"]
    console.print(table(f"Federated {result.strategy} ({result.mode})", header, rows))
    if result.dp:
        dp = result.dp
        console.print(
            f"Differential privacy: clipping {dp['clipping_norm']}, noise multiplier {dp['noise_multiplier']} "
            f"({dp['side']} side); ε = {number(dp.get('epsilon'))} at δ = {dp['target_delta']} ({dp.get('accounting')})"
        )
    console.print(f"Global adapter (a run directory): {result.last_run_dir}")
    console.print(f"Summary: {Path(result.folder) / 'federation.json'}")
