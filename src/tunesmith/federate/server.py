"""The server's side: Flower's FedAvg/FedProx (optionally in Flower's DP wrapper), and a recorder around it that
writes every round's global adapter as a run directory and counts what travelled.

The recorder is a Flower `Strategy` that delegates every decision to the wrapped one; it only measures replies
(before a DP wrapper clips them), drops replies that are not exactly the adapter and the allowed metrics, names
the clients that took part, and stops the run when fewer clients than `min_clients` sent a good reply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from flwr.serverapp.strategy import (
    DifferentialPrivacyClientSideFixedClipping,
    DifferentialPrivacyServerSideFixedClipping,
    FedAvg,
    FedProx,
    Strategy,
)

from tunesmith.federate.adapter import check_like, read_tensors, write_round
from tunesmith.federate.client import METRICS
from tunesmith.federate.config import FedConfig
from tunesmith.federate.summary import FedResult, RoundRecord
from tunesmith.progress import SILENT, Progress


class FederationError(RuntimeError):
    """A round could not finish: too few clients sent an adapter (their errors are in the message)."""


@dataclass
class ServerPlan:
    """What the server needs: the config, the result it fills in, the adapter it starts from and rounds done."""

    config: FedConfig
    result: FedResult
    start: Path  # run directory of the global adapter the next round sends out
    done: int  # rounds finished before this run (resume)
    progress: Progress = SILENT


def build_strategy(config: FedConfig, clients: int, done: int = 0) -> Strategy:
    """Flower's FedAvg or FedProx over `clients` nodes, weighted as configured, in Flower's DP wrapper if asked."""
    weight = "num-examples" if config.aggregation.weighting == "examples" else "unit"
    common = dict(fraction_evaluate=0.0, min_train_nodes=clients, min_available_nodes=clients, weighted_by_key=weight)
    if config.aggregation.strategy == "fedprox":
        strategy: Strategy = FedProx(**common, proximal_mu=config.aggregation.proximal_mu)
    else:
        strategy = FedAvg(**common)
    dp = config.dp
    if dp is None:
        return strategy
    wrapper = (
        DifferentialPrivacyServerSideFixedClipping
        if dp.side == "server"
        else DifferentialPrivacyClientSideFixedClipping
    )
    return wrapper(
        strategy, dp.noise_multiplier, dp.clipping_norm, clients, accountant=accountant(config, clients, done)
    )


def accountant(config: FedConfig, clients: int, done: int):
    """Flower's RDP accountant (client-level, no sampling amplification) with `done` earlier rounds composed; None
    when there is no noise to account or Flower's optional `dp_accounting` backend is not installed."""
    dp = config.dp
    if dp is None or dp.noise_multiplier <= 0:
        return None
    try:
        from flwr.serverapp import (
            GaussianPrivacyEvent,
            NeighboringRelation,
            PrivacyConfig,
            RdpAccountant,
            SamplingMethod,
        )

        privacy = PrivacyConfig(
            target_delta=dp.target_delta,
            population_size=clients,
            neighboring_relation=NeighboringRelation.ADD_OR_REMOVE_ONE,
            sampling_method=SamplingMethod.NO_AMPLIFICATION,
        )
        found = RdpAccountant(privacy)
    except ImportError:
        return None
    if done:
        found.compose(GaussianPrivacyEvent(dp.noise_multiplier, clients, clients), count=done)
    return found


class Recorder(Strategy):
    """Delegates to `inner`; writes each round's global adapter as `round-K` and records the round."""

    def __init__(self, inner: Strategy, plan: ServerPlan, names: list[str]):
        self.inner, self.plan, self.names = inner, plan, names
        self.sent: dict[int, int] = {}
        self.current: dict = {}  # the global tensors sent this round: replies must match their names and shapes

    def summary(self) -> None:
        self.inner.summary()

    def configure_train(self, server_round, arrays, config, grid):
        number = server_round + self.plan.done
        messages = list(self.inner.configure_train(number, arrays, config, grid))
        self.sent[number] = arrays.count_bytes() * len(messages)
        self.current = {name: array.numpy() for name, array in arrays.items()}
        self.plan.progress.update("federate", number - 1, note=f"round {number}: {len(messages)} clients training")
        return messages

    def aggregate_train(self, server_round, replies):
        number, replies = server_round + self.plan.done, list(replies)
        good = [m for m in replies if not m.has_error() and self._acceptable(m.content)]
        metrics = [next(iter(m.content.metric_records.values())) for m in good]
        needed = self.plan.config.needed
        if len(good) < needed:
            reasons = "; ".join(m.error.reason.strip().splitlines()[-1] for m in replies if m.has_error()) or "none"
            raise FederationError(f"round {number}: {len(good)} clients sent an adapter, {needed} needed ({reasons})")
        bytes_up = sum(next(iter(m.content.array_records.values())).count_bytes() for m in good)
        arrays, aggregated = self.inner.aggregate_train(number, good)
        if arrays is None:
            raise FederationError(f"round {number}: the strategy produced no global adapter")
        self._record(number, arrays, metrics, bytes_up, len(replies) - len(good))
        return arrays, aggregated

    def _acceptable(self, content) -> bool:
        """A reply holds one adapter shaped like the global one and only the allowed metrics (else it is dropped)."""
        if len(content.array_records) != 1 or len(content.metric_records) != 1 or len(content.config_records):
            return False
        metrics = next(iter(content.metric_records.values()))
        if set(metrics) != set(METRICS) or not 0 <= int(metrics["client-index"]) < len(self.names):
            return False
        try:
            check_like({k: a.numpy() for k, a in next(iter(content.array_records.values())).items()}, self.current, "")
        except (ValueError, TypeError):
            return False
        return True

    def _record(self, number: int, arrays, metrics: list, bytes_up: int, failures: int) -> None:
        plan, config = self.plan, self.plan.config
        weights = [float(m["num-examples" if config.aggregation.weighting == "examples" else "unit"]) for m in metrics]
        losses = [float(m["train-loss"]) for m in metrics]
        record = RoundRecord(
            round=number,
            run_dir=str(config.folder / f"round-{number}"),
            clients=[self.names[int(m["client-index"])] for m in metrics],
            failed=failures,
            examples=int(sum(float(m["num-examples"]) for m in metrics)),
            bytes_down=self.sent.get(number, 0),
            bytes_up=bytes_up,
            mean_client_loss=sum(w * x for w, x in zip(weights, losses)) / sum(weights) if weights else None,
        )
        tensors = {name: array.numpy() for name, array in arrays.items()}
        summary = {"federated_round": number, **asdict(record), "federation": str(config.folder)}
        write_round(plan.start, Path(record.run_dir), config.base_recipe, tensors, summary)
        plan.result.rounds.append(record)
        plan.result.dp = dp_report(config, self.inner)
        plan.result.save()
        plan.progress.update("federate", number, loss=record.mean_client_loss or float("nan"))

    def configure_evaluate(self, server_round, arrays, config, grid):
        return []  # clients' data stays with them; evaluate a round's run directory with `tunesmith eval`

    def aggregate_evaluate(self, server_round, replies):
        return None


def dp_report(config: FedConfig, strategy: Strategy) -> dict | None:
    """The DP settings, and the ε spent so far at target δ when Flower's accountant tracks it."""
    if config.dp is None:
        return None
    report = config.dp.model_dump(mode="json")
    wrappers = (DifferentialPrivacyServerSideFixedClipping, DifferentialPrivacyClientSideFixedClipping)
    spent = strategy.privacy_spent() if isinstance(strategy, wrappers) else None
    if spent is not None:
        report.update(
            epsilon=spent.epsilon, delta=spent.delta, releases=spent.num_releases, accounting=spent.accounting_method
        )
    elif config.dp.noise_multiplier > 0:
        report["epsilon"] = None
        report["accounting"] = "not available: install Flower's dp extra (pip install 'flwr[dp]')"
    else:
        report["epsilon"] = None
        report["accounting"] = "no noise (noise_multiplier 0): clipping only, no differential privacy guarantee"
    return report


def serve_rounds(grid, plan: ServerPlan, names: list[str], clients: int) -> None:
    """Run the remaining rounds on `grid` (the ServerApp's main): send, train, average, record."""
    from flwr.app import Array, ArrayRecord, ConfigRecord

    config = plan.config
    strategy = Recorder(build_strategy(config, clients, plan.done), plan, names)
    initial = ArrayRecord({name: Array(value) for name, value in read_tensors(plan.start).items()})
    plan.progress.start("federate", config.rounds)
    strategy.start(
        grid=grid,
        initial_arrays=initial,
        num_rounds=config.rounds - plan.done,
        timeout=config.round_timeout,
        train_config=ConfigRecord(),
    )
    plan.progress.finish("federate")
