"""Serving fixtures: two LoRA adapters with different random weights on the tiny model, and a live server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

KEY = "sk-test-0123456789"  # an inference key
ADMIN_KEY = "sk-admin-0123456789"


def make_adapter_run(root: Path, name: str, base: Path, seed: int) -> Path:
    """A run directory (recipe.yaml + final/) holding a LoRA adapter with random, non-zero weights."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base)
    config = LoraConfig(r=4, lora_alpha=16, target_modules="all-linear", init_lora_weights=False)
    run = root / name
    get_peft_model(model, config).save_pretrained(run / "final")
    (run / "recipe.yaml").write_text(yaml.safe_dump({"model": str(base), "data": {"train": "traffic.jsonl"}}))
    return run


@pytest.fixture(scope="session")
def adapter_runs(tmp_path_factory, tiny_model_dir) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    return {name: make_adapter_run(root, name, tiny_model_dir, seed) for name, seed in (("alpha", 1), ("beta", 2))}


@dataclass
class Served:
    """A running server on the tiny model: its URLs, store and backend (tests may inspect both)."""

    root: str
    base_url: str
    base_name: str
    store: object
    backend: object
    settings: object  # the ServerSettings (its key_secret names keys in the store)


@pytest.fixture(scope="session")
def served(tmp_path_factory, tiny_model_dir, adapter_runs):
    """The tiny model (named after its folder) with adapters alpha and beta; keys KEY (inference) and ADMIN_KEY;
    adapters loadable from the folder holding alpha and beta; max_tokens 64; queue of 4."""
    from tests.serve.live import LiveServer
    from tunesmith.serve.adapters import plan
    from tunesmith.serve.app import ServerSettings, create_app
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.store import Store

    served_plan = plan(str(tiny_model_dir), [(name, str(run)) for name, run in adapter_runs.items()])
    backend = TransformersBackend(served_plan, queue_size=4, max_batch=8)
    store = Store(tmp_path_factory.mktemp("store") / "logs.db")
    roots = (adapter_runs["alpha"].parent,)
    settings = ServerSettings(
        api_keys=(KEY,), admin_keys=(ADMIN_KEY,), adapter_roots=roots, max_tokens=64, max_body_bytes=20_000
    )
    with LiveServer(create_app(backend, store, settings)) as live:
        yield Served(live.root, live.base_url, served_plan.base_name, store, backend, settings)
    store.close()


@pytest.fixture
def client(served):
    from openai import OpenAI

    return OpenAI(base_url=served.base_url, api_key=KEY, max_retries=0, timeout=60)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for this session (tests/serve/postgres.py); fails, never skips, without one."""
    from tests.serve.postgres import MISSING, Cluster, server_bin

    bin_dir = server_bin()
    if bin_dir is None:
        pytest.fail(MISSING, pytrace=False)
    cluster = Cluster(bin_dir).start()
    yield cluster
    cluster.stop()
