"""Flower's simulation engine on one machine: the ServerApp runs in this process, each client in a Ray worker
process that reads only its own data file."""

from __future__ import annotations

import os

from tunesmith.federate.server import ServerPlan


def quiet_flower() -> None:
    """Turn off Flower's and Ray's usage reporting: tunesmith runs offline and sends nothing home. These are the
    libraries' own documented switches; a value the user set is kept."""
    os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


def clients_at_our_priority() -> None:
    """Ray starts its workers 15 niceness steps below the driver (RAY_worker_niceness), so on a machine doing
    anything else the simulated clients, which do all the training, get the CPU last; run them at ours."""
    os.environ.setdefault("RAY_worker_niceness", "0")


def run_simulated(plan: ServerPlan, kept: list[str], mods: list | None = None) -> None:
    """Run the plan's remaining rounds with one simulated SuperNode per kept client (behind `mods`, if any)."""
    quiet_flower()
    clients_at_our_priority()
    from flwr.serverapp import ServerApp
    from flwr.simulation import run_simulation

    from tunesmith.federate.client import Site, client_app
    from tunesmith.federate.server import serve_rounds

    config = plan.config
    names = [c.name for c in config.clients]
    by_name = {c.name: c for c in config.clients}
    server = ServerApp()

    @server.main()
    def _main(grid, context):
        serve_rounds(grid, plan, names, len(kept))

    def site_of(context) -> Site:
        return Site(config, by_name[kept[int(context.node_config["partition-id"])]])

    init_args = {"include_dashboard": False, "log_to_driver": config.simulation.client_logs}
    resources = {"num_cpus": config.simulation.cpus_per_client, "num_gpus": config.simulation.gpus_per_client}
    run_simulation(
        server_app=server,
        client_app=client_app(site_of, mods),
        num_supernodes=len(kept),
        backend_config={"client_resources": resources, "init_args": init_args},
    )
