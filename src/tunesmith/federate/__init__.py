"""Federated fine-tuning on Flower: sites train the same adapter on data that never leaves them; a server averages.

`load_fed_config(path)` reads and checks a FED.yaml; `federate(config)` runs it (Flower's simulation by default)
and returns a `FedResult` with each round's global adapter as a normal run directory.
"""

from __future__ import annotations

from tunesmith.federate.config import FedConfig, load_fed_config
from tunesmith.federate.run import federate
from tunesmith.federate.summary import FedResult, RoundRecord

__all__ = ["FedConfig", "FedResult", "RoundRecord", "federate", "load_fed_config"]
