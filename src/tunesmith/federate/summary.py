"""What a federation reports: per round, who took part, how many examples, the bytes each way and the mean loss.

`federation.json` in the federation's folder is rewritten (atomically) after every round, so a crash loses at most
the round in flight and a rerun continues after the last round it lists.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tunesmith.atomic import write_text

SUMMARY = "federation.json"


@dataclass(frozen=True)
class RoundRecord:
    """One finished round: its global adapter's run directory and what travelled to make it."""

    round: int
    run_dir: str
    clients: list[str]  # the clients whose adapters were averaged
    failed: int  # clients asked that sent an error or a reply that is not this adapter (not averaged)
    examples: int  # training examples of the averaged clients, together
    bytes_down: int  # serialized adapter tensors sent to clients (all of them together)
    bytes_up: int  # serialized adapter tensors received from clients
    mean_client_loss: float | None  # the averaged clients' training loss, weighted as the adapters were


@dataclass
class FedResult:
    """A federation's outcome (also `federation.json`): the rounds, the clients dropped up front, DP settings."""

    folder: str
    mode: str
    strategy: str
    weighting: str
    clients: list[str]  # the clients that took part
    dropped: dict[str, str] = field(default_factory=dict)  # client → why it was left out (bad data)
    rounds: list[RoundRecord] = field(default_factory=list)
    dp: dict | None = None  # clipping, noise, side; and epsilon/delta where Flower's accountant is installed
    resumed_from_round: int = 0
    settings: dict = field(default_factory=dict)  # the FED.yaml as run (all but rounds): a rerun must match it

    @property
    def last_run_dir(self) -> str | None:
        """The newest round's global adapter run directory."""
        return self.rounds[-1].run_dir if self.rounds else None

    def save(self) -> None:
        write_text(Path(self.folder) / SUMMARY, json.dumps(asdict(self), indent=2, ensure_ascii=False))


def load_result(folder: Path) -> FedResult | None:
    """The summary an earlier run of this federation left in `folder`, or None."""
    path = folder / SUMMARY
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["rounds"] = [RoundRecord(**r) for r in raw.get("rounds", [])]
    return FedResult(**raw)
