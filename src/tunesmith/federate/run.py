"""`federate(config)`: check every client's data, write the starting adapter, run the rounds in Flower's simulation
(or deployment) and return what each round did. A rerun continues after the last finished round."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.federate.adapter import initial_adapter
from tunesmith.federate.config import FedConfig
from tunesmith.federate.server import ServerPlan
from tunesmith.federate.sites import check_clients
from tunesmith.federate.summary import FedResult, load_result
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir


def federate(
    config: FedConfig, progress: Progress = SILENT, overwrite: bool = False, client_mods: list | None = None
) -> FedResult:
    """Run the federation `config` describes; its folder gets round-K run directories and federation.json.

    `client_mods` are extra Flower client mods wrapped around every simulated client (e.g. Flower's
    `message_size_mod`, or an audit of what a client sends); deployment sites run only tunesmith's own.
    Everything that can be checked is checked before training (client data: simulation only, since in deployment
    the data lives at the sites). An existing folder of the same federation is continued after its last round."""
    folder = config.folder
    if config.mode == "deployment":
        from tunesmith.federate.deployment import check_saved

        check_saved(config)  # the ServerApp and the sites read the file, not this object
        kept, dropped = [c.name for c in config.clients], {}
    else:
        kept, dropped = check_clients(config)
    previous = None if overwrite else _previous(config, folder)
    if previous is not None and len(previous.rounds) >= config.rounds:
        return previous
    if overwrite:  # only now: bad input above leaves the earlier federation as it was
        shutil.rmtree(folder, ignore_errors=True)
    for name, why in dropped.items():
        progress.note(f"client '{name}' left out: {why}")
    result = previous or _fresh(config, kept, dropped)
    result.mode, result.clients, result.dropped = config.mode, kept, dropped
    result.save()
    if not result.rounds and not RunDir(folder / "round-0").is_adapter():
        progress.note("writing the starting adapter (round-0)")
        initial_adapter(config.base_recipe, folder / "round-0", progress)
    done = len(result.rounds)
    result.resumed_from_round = done
    start = Path(result.last_run_dir or folder / "round-0")
    plan = ServerPlan(config, result, start, done, progress)
    if config.mode == "simulation":
        from tunesmith.federate.simulation import run_simulated

        run_simulated(plan, kept, client_mods)
    else:
        from tunesmith.federate.deployment import run_deployed

        run_deployed(plan)
    return plan.result


def _fresh(config: FedConfig, kept: list[str], dropped: dict[str, str]) -> FedResult:
    return FedResult(
        folder=str(config.folder),
        mode=config.mode,
        strategy=config.aggregation.strategy,
        weighting=config.aggregation.weighting,
        clients=kept,
        dropped=dropped,
        settings=_settings(config),
    )


def _settings(config: FedConfig) -> dict:
    """The settings a continued run must share with the one it continues (all but rounds and how it is run)."""
    return json.loads(config.model_dump_json(exclude={"rounds", "mode", "simulation", "deployment", "round_timeout"}))


def _previous(config: FedConfig, folder: Path) -> FedResult | None:
    """The earlier run of this federation in `folder`, to continue; InputError if the folder holds another one."""
    previous = load_result(folder)
    if previous is None:
        if folder.exists() and any(p for p in folder.iterdir() if not p.name.startswith(".")):
            raise InputError(str(folder), "exists and holds no federation.json; pass --overwrite or set output.name")
        return None
    changed = sorted(k for k, v in _settings(config).items() if previous.settings.get(k) != v)
    if changed:
        raise InputError(
            str(folder),
            f"holds a federation run with other settings ({', '.join(changed)}); pass --overwrite or set output.name",
        )
    return previous
