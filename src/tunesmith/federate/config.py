"""FED.yaml: a federation of sites that each fine-tune the same adapter on their own data, averaged by Flower.

The file names a normal tunesmith recipe (its `data.train` is replaced by each client's own file), the clients,
the rounds and how their adapters are averaged. Relative paths are read from the FED.yaml's folder. Only methods
whose trained weights are a fixed-shape PEFT adapter can be averaged; the others are refused here, with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from tunesmith.config import Recipe, load_recipe
from tunesmith.config.section import Section
from tunesmith.errors import InputError
from tunesmith.schema import validate
from tunesmith.yaml_file import read_mapping

# Methods whose saved adapter has the same tensor names and shapes on every client and every round, and that a
# client can load back trainable from a saved adapter: element-wise averages of them are adapters of the same kind.
AVERAGEABLE = (
    "lora",
    "qlora",
    "ia3",
    "loha",
    "lokr",
    "vera",
    "oft",
    "boft",
    "ln_tuning",
    "prompt_tuning",
    "p_tuning_v2",
)
REFUSED = {
    "adalora": "AdaLoRA prunes and reallocates ranks while it trains, so clients' adapters differ in shape and "
    "cannot be averaged; use lora",
    "full": "full fine-tuning trains (and would send) the whole model, but only adapter weights may leave a site; "
    "use an adapter method such as lora",
    "freeze": "freeze trains (and would send) whole layers of the model, but only adapter weights may leave a site; "
    "use an adapter method such as lora",
    "bitfit": "bitfit saves a whole model, but only adapter weights may leave a site; use an adapter method",
    "adapter": "tunesmith's bottleneck adapter is not a PEFT adapter a client can train on from a received one; "
    "use lora",
    "prefix_tuning": "PEFT saves the prefix encoder's output, not its weights (peft#2256), so a client cannot train "
    "on from the global adapter; use p_tuning_v2 or prompt_tuning",
    "p_tuning": "PEFT saves the prompt encoder's output, not its weights (peft#2256), so a client cannot train on "
    "from the global adapter; use prompt_tuning",
}
# LoRA initialisations that rewrite the base weights: every site's base would differ from the adapter's frame.
BASE_CHANGING_INITS = ("pissa", "olora", "loftq", "corda", "eva")


class ClientConfig(Section):
    """One site: its name and its own training data (which never leaves it)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    """The site's name: 1-64 letters, digits, '_' or '-' (it names the site in reports and on its command line)."""
    data: Path
    """The site's training file, in any format the recipe's stage reads; relative to the FED.yaml's folder."""


class AggregationConfig(Section):
    """How the clients' adapters become the next global adapter."""

    strategy: Literal["fedavg", "fedprox"] = "fedavg"
    """fedavg: average the clients' adapters; fedprox: the same, with each client pulled toward the global adapter."""
    proximal_mu: float = Field(0.01, ge=0.0)
    """FedProx's μ: the strength of the pull toward the global adapter, applied decoupled as L2-SP is (each
    optimizer step θ -= lr·μ·(θ - θ_global)); used by fedprox only."""
    weighting: Literal["examples", "equal"] = "examples"
    """Each client's weight in the average: its number of training examples, or the same for every client."""


class DpConfig(Section):
    """Central differential privacy through Flower's fixed-clipping wrappers: each client's update is clipped to
    `clipping_norm` (L2, all adapter tensors together) and Gaussian noise of std noise_multiplier·clipping_norm /
    clients is added to the average."""

    clipping_norm: float = Field(gt=0)
    """The L2 norm each client's update (its adapter minus the global one) is clipped to."""
    noise_multiplier: float = Field(ge=0)
    """The Gaussian noise's std as a multiple of clipping_norm (before dividing by the number of clients)."""
    side: Literal["server", "client"] = "server"
    """Where updates are clipped: on the server (Flower's DifferentialPrivacyServerSideFixedClipping) or on each
    client before it sends (DifferentialPrivacyClientSideFixedClipping with Flower's fixedclipping_mod)."""
    target_delta: float = Field(1e-5, gt=0, lt=1)
    """The δ at which the spent ε is reported (client-level, add-or-remove-one, no sampling amplification)."""


class SimulationConfig(Section):
    """Resources of Flower's simulation engine (Ray) on this machine."""

    cpus_per_client: float = Field(1.0, gt=0)
    """CPU cores each simulated client holds while it trains (clients train in parallel as cores allow)."""
    gpus_per_client: float = Field(0.0, ge=0)
    """GPUs (or a share of one) each simulated client holds while it trains."""
    client_logs: bool = False
    """Show the simulated clients' own output (Ray workers' logs) here; a client's error reaches the server either
    way and stops the round with its reason."""


class DeploymentConfig(Section):
    """Where Flower's SuperLink listens and where the sites reach it (mode: deployment)."""

    listen: str = Field("127.0.0.1:9095", pattern=r"^[^\s:]+:\d{1,5}$")
    """host:port the server's SuperLink listens on (Flower serves sites, `flwr run` and the ServerApp on this one
    port); 0.0.0.0:9095 lets other machines connect — put TLS in front of it (docs/federated.md)."""
    superlink: str | None = Field(None, pattern=r"^[^\s:]+:\d{1,5}$")
    """host:port the sites connect to; None: the listen address."""
    node_port: int = Field(9094, ge=1, le=65535)
    """The local port of a site's SuperNode API (each SuperNode on one machine needs its own)."""


class FedOutput(Section):
    dir: Path = Path("runs")
    """The folder that holds the federation's folder; relative to the FED.yaml's folder (the default: runs/ in the
    current directory, as for recipes)."""
    name: str = "federated"
    """The federation's folder under `dir`: it holds round-K run directories and federation.json."""


class FedConfig(Section):
    """A federated fine-tuning run (`tunesmith federate FED.yaml`)."""

    recipe: Path
    """The tunesmith recipe every client trains with; its data.train is replaced by each client's own file."""
    clients: list[ClientConfig] = Field(min_length=1)
    """The sites, each with its own data file."""
    rounds: int = Field(3, ge=1)
    """Federated rounds: each sends the global adapter out, trains on every client and averages."""
    local_steps: int = Field(10, ge=1)
    """Optimizer steps each client trains per round (train.max_steps of its local run)."""
    aggregation: AggregationConfig = Field(default_factory=AggregationConfig)
    """How client adapters are averaged (FedAvg or FedProx, weighted by examples or equally)."""
    min_clients: int | None = Field(None, ge=1)
    """Clients a round needs: a client whose data is missing or malformed is dropped if this many remain, else the
    run stops before training; None: every client."""
    dp: DpConfig | None = None
    """Differential privacy (clipping + Gaussian noise) through Flower's own wrappers; None: off."""
    mode: Literal["simulation", "deployment"] = "simulation"
    """simulation: every client on this machine in Flower's simulation engine; deployment: a Flower SuperLink here
    and a SuperNode per site (`tunesmith federate FED.yaml --client NAME` at each site)."""
    simulation: SimulationConfig = Field(default_factory=SimulationConfig)
    """Resources of the simulation engine (mode: simulation)."""
    deployment: DeploymentConfig = Field(default_factory=DeploymentConfig)
    """The SuperLink's addresses (mode: deployment)."""
    round_timeout: float = Field(3600.0, gt=0)
    """Seconds the server waits for clients' replies in a round."""
    output: FedOutput = Field(default_factory=FedOutput)
    """Where the round run directories and the federation summary are written."""
    _recipe: Recipe | None = PrivateAttr(None)
    _source: str = PrivateAttr("FED.yaml")

    @field_validator("clients")
    @classmethod
    def _distinct_names(cls, value: list[ClientConfig]) -> list[ClientConfig]:
        names = [c.name for c in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"client names must differ; given more than once: {', '.join(twice)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FedConfig:
        if self.min_clients is not None and self.min_clients > len(self.clients):
            raise ValueError(f"min_clients ({self.min_clients}) is more than the {len(self.clients)} clients listed")
        if self.dp is not None and self.aggregation.weighting != "equal":
            raise ValueError(
                "dp needs aggregation.weighting: equal (Flower's privacy accounting and the noise scale assume every "
                "client's clipped update counts the same)"
            )
        return self

    @property
    def needed(self) -> int:
        """Clients every round needs."""
        return self.min_clients or len(self.clients)

    @property
    def folder(self) -> Path:
        """The federation's output folder."""
        return self.output.dir / self.output.name

    @property
    def source(self) -> str:
        return self._source

    @property
    def base_recipe(self) -> Recipe:
        """The recipe every client trains with (loaded and checked by `load_fed_config`)."""
        if self._recipe is None:
            self._recipe = load_recipe(self.recipe)
        return self._recipe


def load_fed_config(path: str | Path) -> FedConfig:
    """Read and check a FED.yaml: schema, the recipe it names, and that the recipe's method can be averaged.

    Paths in the file are made absolute against its folder. Client data files are checked by `check_clients`."""
    path = Path(path)
    raw = read_mapping(path, "federation", "a mapping with recipe, clients, rounds …")
    base = path.parent.absolute()
    for key in ("recipe",):
        if isinstance(raw.get(key), str):
            raw[key] = str((base / raw[key]).resolve())
    for client in raw.get("clients") or []:
        if isinstance(client, dict) and isinstance(client.get("data"), str):
            client["data"] = str((base / client["data"]).absolute())
    output = raw.get("output")
    if isinstance(output, dict) and isinstance(output.get("dir"), str):
        output["dir"] = str((base / output["dir"]).absolute())
    config = validate(FedConfig, raw, str(path))
    config._source = str(path)
    config.output.dir = config.output.dir.absolute()  # the default, runs/, is under the current directory
    if not config.recipe.is_file():
        raise InputError(f"{path}: key 'recipe'", f"{config.recipe} not found")
    check_method(config.base_recipe, f"{path}: recipe {config.recipe}")
    return config


def check_method(recipe: Recipe, where: str) -> None:
    """Refuse a recipe whose trained weights cannot be averaged across clients, saying why."""
    name = recipe.method.name
    if name in REFUSED:
        raise InputError(f"{where}: key 'method.name'", f"'{name}' cannot be federated: {REFUSED[name]}")
    if name not in AVERAGEABLE:
        raise InputError(f"{where}: key 'method.name'", f"'{name}' is not known to average; use one of {AVERAGEABLE}")
    init = getattr(recipe.method, "init_lora_weights", True)
    if isinstance(init, str) and init.split("_")[0] in BASE_CHANGING_INITS:
        raise InputError(
            f"{where}: key 'method.init_lora_weights'",
            f"'{init}' rewrites the base weights from the adapter's start, so a global average has no common base; "
            "use true or gaussian",
        )
    if recipe.stage.name != "sft":
        raise InputError(f"{where}: key 'stage.name'", "federated training supports the sft stage only")
