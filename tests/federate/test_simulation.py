"""Two clients in Flower's simulation engine (Ray): the global adapter is their example-weighted average, bit for
bit; only the adapter's float tensors and the allowed metrics leave a client; a rerun continues the rounds; DP
clips and reports ε. One Ray start per run, so these few tests share runs where they can."""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest

from tests.federate import capture
from tests.federate.conftest import CANARY, write_fed
from tunesmith.export.merge import merge_run
from tunesmith.federate import federate, load_fed_config
from tunesmith.federate.adapter import read_tensors
from tunesmith.federate.client import METRICS
from tunesmith.runs import open_run


def _ship_by_value() -> None:
    """Ray workers cannot import the tests package: send the capture mod's code along with it."""
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(sys.modules[capture.__name__])


@pytest.fixture(scope="module")
def fedavg(fed_folder, tmp_path_factory):
    """One round of FedAvg over alpha (12 records) and beta (24), every reply captured."""
    _ship_by_value()
    sent = tmp_path_factory.mktemp("sent")
    config = load_fed_config(write_fed(fed_folder, "fedavg"))
    result = federate(config, client_mods=[capture.capture_mod(sent)])
    return config, result, sent


def test_the_global_adapter_is_the_example_weighted_average_of_the_clients(fedavg):
    config, result, sent = fedavg
    (record,) = result.rounds
    assert sorted(record.clients) == ["alpha", "beta"] and record.examples == 36 and result.dropped == {}
    alpha, beta = np.load(sent / "0-1.npz"), np.load(sent / "1-1.npz")
    start, merged = read_tensors(config.folder / "round-0"), read_tensors(record.run_dir)
    assert set(merged) == set(start) == set(alpha.files)
    for name in merged:  # Flower's FedAvg: Σ value·(n_i / Σn) in float32
        expected = alpha[name] * (12 / 36) + beta[name] * (24 / 36)
        np.testing.assert_array_equal(merged[name], expected)
        assert not np.array_equal(alpha[name], start[name]) or name.endswith("lora_A.weight")  # clients trained
    assert any(not np.array_equal(alpha[n], beta[n]) for n in merged)
    adapter_bytes = sum(a.nbytes for a in start.values())
    assert adapter_bytes * 2 < record.bytes_down == record.bytes_up < adapter_bytes * 2 + 4096  # tensors + headers


def test_each_round_is_a_normal_run_directory_and_the_summary_says_what_travelled(fedavg, tiny_model_dir, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    config, result, _ = fedavg
    run = open_run(result.rounds[0].run_dir)
    assert run.is_adapter() and (run.final / "tokenizer_config.json").is_file()
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), run.final)
    assert model.peft_config["default"].r == 4
    merged = merge_run(run.root, tmp_path / "merged")  # `tunesmith export merge` takes it like any run
    assert (merged / "config.json").is_file()
    saved = json.loads((config.folder / "federation.json").read_text())
    assert saved["rounds"][0]["bytes_up"] == result.rounds[0].bytes_up and saved["strategy"] == "fedavg"
    assert json.loads(run.summary.read_text())["federated_round"] == 1


def test_no_training_record_leaves_a_client(fedavg):
    config, result, sent = fedavg
    names = set(read_tensors(config.folder / "round-0"))
    for index in (0, 1):
        shown = json.loads((sent / f"{index}-1.json").read_text())
        assert shown["records"] == {"arrays": "ArrayRecord", "metrics": "MetricRecord"}
        assert set(shown["metrics"]) <= set(METRICS)
        arrays = np.load(sent / f"{index}-1.npz")
        assert set(arrays.files) == names and all(arrays[n].dtype == np.float32 for n in names)
        blob = (sent / f"{index}-1.bin").read_bytes()
        assert len(blob) > sum(arrays[n].nbytes for n in names)  # the capture saw the tensors themselves
        for text in (CANARY, "What color is the sky", "Capital of France"):
            assert text.encode("utf-8") not in blob and text.encode("utf-16-le") not in blob


def test_simulated_clients_train_at_the_callers_priority_not_rays_plus_15(fedavg):
    replies = sorted(fedavg[2].glob("*.json"))
    assert replies and {json.loads(p.read_text())["niceness"] for p in replies} == {os.nice(0)}


def test_a_rerun_continues_after_the_last_finished_round(fedavg):
    config, first, _ = fedavg
    before = (config.folder / "round-1" / "final" / "adapter_model.safetensors").read_bytes()
    config.rounds = 2
    result = federate(config)
    assert result.resumed_from_round == 1 and [r.round for r in result.rounds] == [1, 2]
    assert (config.folder / "round-1" / "final" / "adapter_model.safetensors").read_bytes() == before
    assert open_run(result.rounds[1].run_dir).is_adapter()
    assert federate(config).rounds == result.rounds  # all rounds done: nothing runs again


def test_client_side_dp_clips_every_update_and_reports_epsilon(fed_folder, tmp_path):
    _ship_by_value()
    dp = {"clipping_norm": 0.05, "noise_multiplier": 1.0, "side": "client"}
    config = load_fed_config(write_fed(fed_folder, "dp", dp=dp, aggregation={"weighting": "equal"}))
    result = federate(config, client_mods=[capture.capture_mod(tmp_path)])
    report = result.dp
    assert report["clipping_norm"] == 0.05 and report["noise_multiplier"] == 1.0 and report["side"] == "client"
    assert report["releases"] == 1 and 0 < report["epsilon"] < float("inf") and report["delta"] == 1e-5
    start = read_tensors(config.folder / "round-0")
    for index in (0, 1):
        sent = np.load(tmp_path / f"{index}-1.npz")
        norm = np.sqrt(sum(float(((sent[n] - start[n]) ** 2).sum()) for n in start))
        assert norm <= 0.05 + 1e-6


def test_a_client_that_fails_is_left_out_of_the_round_when_min_clients_allows(fed_folder):
    _ship_by_value()
    config = load_fed_config(write_fed(fed_folder, "one-fails", min_clients=1))
    result = federate(config, client_mods=[capture.failing_mod(partition=1)])
    (record,) = result.rounds
    assert record.clients == ["alpha"] and record.failed == 1 and record.examples == 12
    assert open_run(record.run_dir).is_adapter()
