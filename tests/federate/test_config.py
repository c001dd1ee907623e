"""FED.yaml checks before any training: bad client data is named and dropped (if min_clients allows) or stops
the run; methods that cannot be averaged are refused with the reason."""

from __future__ import annotations

import pytest
import yaml

from tests.federate.conftest import write_fed
from tunesmith.errors import InputError
from tunesmith.federate import load_fed_config
from tunesmith.federate.sites import check_clients


def test_a_config_loads_with_paths_from_its_folder(fed_folder):
    config = load_fed_config(write_fed(fed_folder, "ok"))
    assert config.clients[0].data == fed_folder / "alpha.jsonl" and config.folder == fed_folder / "out" / "ok"
    assert config.needed == 2 and config.aggregation.strategy == "fedavg" and config.mode == "simulation"
    assert check_clients(config) == (["alpha", "beta"], {})


def test_a_missing_client_file_stops_the_run_unless_min_clients_allows_dropping_it(fed_folder):
    clients = [{"name": "alpha", "data": "alpha.jsonl"}, {"name": "ghost", "data": "ghost.jsonl"}]
    with pytest.raises(InputError, match=r"(?s)1 of 2 clients have usable data, 2 needed.*ghost\.jsonl.*not found"):
        check_clients(load_fed_config(write_fed(fed_folder, "strict", clients=clients)))
    kept, dropped = check_clients(load_fed_config(write_fed(fed_folder, "lenient", clients=clients, min_clients=1)))
    assert kept == ["alpha"] and "ghost.jsonl" in dropped["ghost"] and "not found" in dropped["ghost"]


def test_a_malformed_client_file_is_named_with_its_line(fed_folder):
    lines = (fed_folder / "beta.jsonl").read_text().splitlines()
    (fed_folder / "broken.jsonl").write_text("\n".join([*lines[:2], "{not json", *lines[2:]]) + "\n")
    clients = [{"name": "alpha", "data": "alpha.jsonl"}, {"name": "broken", "data": "broken.jsonl"}]
    kept, dropped = check_clients(load_fed_config(write_fed(fed_folder, "bad", clients=clients, min_clients=1)))
    assert kept == ["alpha"] and "broken.jsonl:3" in dropped["broken"]


@pytest.mark.parametrize(
    ("method", "reason"),
    [
        ({"name": "adalora", "init_r": 8, "target_r": 4}, "changing|reallocates ranks"),
        ({"name": "full"}, "whole model"),
        ({"name": "p_tuning", "num_virtual_tokens": 4}, "peft#2256"),
        ({"name": "lora", "init_lora_weights": "pissa"}, "rewrites the base weights"),
    ],
)
def test_methods_that_cannot_be_averaged_are_refused_with_the_reason(fed_folder, method, reason):
    recipe = yaml.safe_load((fed_folder / "recipe.yaml").read_text())
    (fed_folder / "other.yaml").write_text(yaml.safe_dump({**recipe, "method": method}))
    with pytest.raises(InputError, match=f"cannot be federated|{reason}") as caught:
        load_fed_config(write_fed(fed_folder, "refused", recipe="other.yaml"))
    assert any(word in str(caught.value) for word in reason.split("|"))


def test_schema_mistakes_are_input_errors(fed_folder):
    with pytest.raises(InputError, match="local_step"):
        load_fed_config(write_fed(fed_folder, "typo", local_step=3))
    with pytest.raises(InputError, match="weighting: equal"):
        load_fed_config(write_fed(fed_folder, "dp", dp={"clipping_norm": 1.0, "noise_multiplier": 1.0}))
    with pytest.raises(InputError, match="more than the 2 clients"):
        load_fed_config(write_fed(fed_folder, "many", min_clients=3))
    twice = [{"name": "alpha", "data": "alpha.jsonl"}] * 2
    with pytest.raises(InputError, match="given more than once: alpha"):
        load_fed_config(write_fed(fed_folder, "twice", clients=twice))


def test_the_shipped_example_validates():
    from pathlib import Path

    example = Path(__file__).parents[2] / "examples" / "federated" / "FED.yaml"
    config = load_fed_config(example)
    assert len(config.clients) == 4 and all(c.data.is_file() for c in config.clients)
    assert check_clients(config)[1] == {}
