"""Checks of the sites' data before any training: a client's file must read as the recipe's stage reads it."""

from __future__ import annotations

from tunesmith.errors import InputError
from tunesmith.federate.client import local_recipe
from tunesmith.federate.config import ClientConfig, FedConfig


def check_clients(config: FedConfig) -> tuple[list[str], dict[str, str]]:
    """(clients whose data reads as the recipe's stage needs, {dropped client: why}); InputError when fewer than
    `min_clients` remain, naming every bad file and line."""
    kept, dropped = [], {}
    for client in config.clients:
        try:
            check_client(config, client)
            kept.append(client.name)
        except InputError as exc:
            dropped[client.name] = str(exc)
    if len(kept) < config.needed:
        problems = "".join(f"\n  client '{name}': {why}" for name, why in dropped.items())
        raise InputError(
            f"{config.source}: key 'clients'",
            f"{len(kept)} of {len(config.clients)} clients have usable data, {config.needed} needed "
            f"(lower min_clients to run without the others){problems}",
        )
    return kept, dropped


def check_client(config: FedConfig, client: ClientConfig) -> int:
    """The number of training records in the client's file, read as training will read it; InputError naming the
    file and line otherwise."""
    from tunesmith.train.setup import load_stage_data

    if not client.data.exists():
        raise InputError(str(client.data), "client data file not found")
    data = load_stage_data(local_recipe(config, client, config.folder / "check", 0, 0.0))
    if len(data.train) == 0:
        raise InputError(str(client.data), "no training records")
    return len(data.train)
