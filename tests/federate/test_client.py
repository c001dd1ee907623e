"""A site's local run (its own data, local_steps, FedProx's pull as L2-SP) and what it accepts from a server."""

from __future__ import annotations

import numpy as np
import pytest

from tests.federate.conftest import write_fed
from tunesmith.federate import load_fed_config
from tunesmith.federate.adapter import check_like
from tunesmith.federate.client import local_recipe


def test_a_round_trains_the_sites_own_data_with_fedprox_as_the_pull_to_the_global_adapter(fed_folder, tmp_path):
    config = load_fed_config(write_fed(fed_folder, "prox", local_steps=7, aggregation={"strategy": "fedprox"}))
    beta = config.clients[1]
    recipe = local_recipe(config, beta, tmp_path / "local", server_round=3, mu=0.05)
    assert recipe.data.train == fed_folder / "beta.jsonl" and recipe.train.max_steps == 7
    assert recipe.forgetting.l2sp == 0.05 and recipe.train.keep_best is False
    assert recipe.data.validation is None and recipe.eval.file is None  # a site reads only its own file
    assert recipe.train.seed == config.base_recipe.train.seed + 3 and recipe.run_dir == tmp_path / "local"
    fedavg = load_fed_config(write_fed(fed_folder, "avg"))
    assert local_recipe(fedavg, beta, tmp_path / "local", 1, mu=0.05).forgetting.l2sp == 0.0  # fedavg: no pull


def test_a_site_accepts_only_float_tensors_shaped_like_its_own_adapter():
    own = {"a.lora_A.weight": np.zeros((4, 8), np.float32), "a.lora_B.weight": np.zeros((8, 4), np.float32)}
    check_like({k: v + 1 for k, v in own.items()}, own, "the server")
    with pytest.raises(ValueError, match="unknown"):
        check_like({**own, "lm_head.weight": np.zeros((2, 2), np.float32)}, own, "the server")
    with pytest.raises(ValueError, match="expected float"):
        check_like({**own, "a.lora_A.weight": np.zeros((4, 9), np.float32)}, own, "the server")
    with pytest.raises(ValueError, match="expected float"):
        check_like({**own, "a.lora_A.weight": np.zeros((4, 8), np.int64)}, own, "the server")


def test_the_server_drops_replies_that_are_not_the_adapter_or_carry_other_metrics(fed_folder):
    from flwr.app import Array, ArrayRecord, ConfigRecord, MetricRecord, RecordDict

    from tunesmith.federate.server import Recorder, ServerPlan, build_strategy
    from tunesmith.federate.summary import FedResult

    config = load_fed_config(write_fed(fed_folder, "replies"))
    plan = ServerPlan(config, FedResult("f", "simulation", "fedavg", "examples", ["alpha", "beta"]), fed_folder, 0)
    recorder = Recorder(build_strategy(config, 2), plan, ["alpha", "beta"])
    recorder.current = {"w": np.zeros((2, 3), np.float32)}
    metrics = {"num-examples": 3, "train-loss": 1.0, "client-index": 1, "unit": 1}

    def reply(arrays=None, extra=None, **changed):
        arrays = arrays or {"w": np.ones((2, 3), np.float32)}
        content = {"arrays": ArrayRecord({k: Array(v) for k, v in arrays.items()}), **(extra or {})}
        content["metrics"] = MetricRecord({**metrics, **changed})
        return RecordDict(content)  # a reply's content

    assert recorder._acceptable(reply())
    assert not recorder._acceptable(reply(arrays={"w": np.ones((3, 3), np.float32)}))  # other shape
    assert not recorder._acceptable(reply(arrays={"x": np.ones((2, 3), np.float32)}))  # other name
    assert not recorder._acceptable(reply(**{"client-index": 5}))  # no such client
    assert not recorder._acceptable(reply(secret=42.0))  # a metric outside the allow-list
    assert not recorder._acceptable(reply(extra={"note": ConfigRecord({"text": "a training record"})}))
