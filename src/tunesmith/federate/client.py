"""A site's side of a round: take the global adapter, train `local_steps` on the site's own data, send back the
adapter's tensors and four numbers (METRICS below) — nothing of the data itself.

Local training is a normal tunesmith run (`train(recipe, start_from=global adapter)`) in a scratch folder at the
site; FedProx's proximal pull toward the global adapter is the recipe's L2-SP, applied decoupled (train/l2sp.py).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunesmith.config import Recipe
from tunesmith.federate.adapter import Tensors, check_like, initial_adapter, read_tensors, write_tensors
from tunesmith.federate.config import ClientConfig, FedConfig
from tunesmith.runs import RunDir

# The only metrics a client sends: its example count (the FedAvg weight), its mean training loss, its index in the
# FED.yaml's client list (so the server can name who took part) and a constant 1 (the weight for equal weighting).
METRICS = ("num-examples", "train-loss", "client-index", "unit")


@dataclass(frozen=True)
class Site:
    """One client at its own site: the shared config, which client it is, and its private scratch folder."""

    config: FedConfig
    client: ClientConfig

    @property
    def index(self) -> int:
        return [c.name for c in self.config.clients].index(self.client.name)

    @property
    def scratch(self) -> Path:
        return self.config.folder / ".clients" / self.client.name


def local_recipe(config: FedConfig, client: ClientConfig, output: Path, server_round: int, mu: float) -> Recipe:
    """The recipe a client trains one round with: its own data (validation: `validation_split` of it), `local_steps`
    steps, the last weights kept, a seed that moves with the round (so each round sees other batches) and FedProx's
    μ as the L2-SP pull."""
    recipe = config.base_recipe
    data = recipe.data.model_copy(update={"train": client.data, "tasks": [], "validation": None})
    evaluation = recipe.eval.model_copy(update={"file": None})  # a site holds only its own file; nothing evaluates
    train = recipe.train.model_copy(
        update={"max_steps": config.local_steps, "keep_best": False, "seed": recipe.train.seed + server_round}
    )
    forgetting = recipe.forgetting
    if config.aggregation.strategy == "fedprox":
        forgetting = forgetting.model_copy(update={"l2sp": mu})
    out = recipe.output.model_copy(update={"dir": output.parent, "name": output.name})
    parts = {"data": data, "train": train, "forgetting": forgetting, "eval": evaluation, "output": out}
    return recipe.model_copy(update=parts)


def train_round(site: Site, received: Tensors, server_round: int, mu: float) -> tuple[Tensors, dict[str, float]]:
    """Train this site's adapter on from the received global tensors; (trained tensors, the allowed metrics)."""
    from tunesmith.train.run import train

    start = site.scratch / "global"
    if not RunDir(start).is_adapter():
        initial_adapter(site.config.base_recipe, start)  # the adapter's config and tokenizer, made at this site
    check_like(received, read_tensors(start), "the server")
    write_tensors(RunDir(start).final, received)
    local = site.scratch / "local"
    result = train(local_recipe(site.config, site.client, local, server_round, mu), overwrite=True, start_from=start)
    trained = read_tensors(local)
    shutil.rmtree(local, ignore_errors=True)  # checkpoints and logs of the local run stay private and short-lived
    loss = result.train_loss if result.train_loss is not None else math.nan
    metrics = {"num-examples": result.train_examples, "train-loss": float(loss), "client-index": site.index, "unit": 1}
    return {name: trained[name] for name in received}, metrics  # the server's order (Flower's clipping checks it)


def reply(site: Site, message):
    """The reply to a train message: the trained adapter tensors and the allowed metrics, nothing else."""
    from flwr.app import Array, ArrayRecord, Message, MetricRecord, RecordDict

    received = {name: array.numpy() for name, array in message.content["arrays"].items()}
    config = message.content["config"]
    tensors, metrics = train_round(site, received, int(config["server-round"]), float(config.get("proximal-mu", 0)))
    arrays = ArrayRecord({name: Array(value) for name, value in tensors.items()})
    return Message(RecordDict({"arrays": arrays, "metrics": MetricRecord(metrics)}), reply_to=message)


def client_app(site_of: Callable, extra_mods: list | None = None):
    """A Flower ClientApp whose train handler answers for the site `site_of(context)` names; it runs behind the
    DP clipping mod (mods.py) and any `extra_mods` (outermost first)."""
    from flwr.clientapp import ClientApp

    from tunesmith.federate.mods import clipping_mod

    app = ClientApp(mods=[*(extra_mods or []), clipping_mod(site_of)])

    @app.train()
    def _train(message, context):
        return reply(site_of(context), message)

    return app
