"""A tiny federation on disk: a recipe for the tiny random Llama, two clients' chat files (one holding a canary
string that must never leave its site), and a FED.yaml writer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import QUESTIONS, write_jsonl

CANARY = "canary-Quokka-7f3a91"  # planted in alpha's data: no byte of it may reach the server


def chat_rows(pairs, n: int, marker: str = "") -> list[dict]:
    return [
        {"messages": [{"role": "user", "content": f"{q} {marker}".strip()}, {"role": "assistant", "content": a}]}
        for q, a in (pairs * n)[:n]
    ]


@pytest.fixture(scope="module")
def fed_folder(tmp_path_factory, tiny_model_dir) -> Path:
    """A folder with recipe.yaml, alpha.jsonl (12 records, with the canary) and beta.jsonl (24 records)."""
    folder = tmp_path_factory.mktemp("federation")
    write_jsonl(folder / "alpha.jsonl", chat_rows(QUESTIONS[:3], 12, CANARY))
    write_jsonl(folder / "beta.jsonl", chat_rows(QUESTIONS[3:], 24))
    recipe = {
        "model": str(tiny_model_dir),
        "data": {"train": "alpha.jsonl", "validation_split": 0.0},
        "method": {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]},
        "train": {"max_steps": 2, "batch_size": 4, "learning_rate": 1e-2, "logging_steps": 1},
    }
    (folder / "recipe.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
    return folder


def write_fed(folder: Path, name: str, **changes) -> Path:
    """A FED.yaml in `folder` for the two clients (1 round of 2 local steps), with top-level `changes`."""
    raw = {
        "recipe": "recipe.yaml",
        "clients": [{"name": "alpha", "data": "alpha.jsonl"}, {"name": "beta", "data": "beta.jsonl"}],
        "rounds": 1,
        "local_steps": 2,
        "simulation": {"cpus_per_client": 1},
        "output": {"dir": "out", "name": name},
        **changes,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path
