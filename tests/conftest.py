"""Shared fixtures: the real default model's tokenizer, and a tiny random Llama built from a config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tunesmith.config import validate_recipe


def pytest_addoption(parser):
    parser.addoption(
        "--ui-screenshots",
        metavar="DIR",
        default=None,
        help="save the web UI browser tests' screenshots in DIR (the README's come from `tests/ui/test_flow.py`)",
    )


QUESTIONS = [
    ("What color is the sky?", "Blue."),
    ("What is 2 + 3?", "5"),
    ("Capital of France?", "Paris."),
    ("Opposite of hot?", "Cold."),
    ("How many legs does a cat have?", "Four."),
    ("中国的首都是哪里？", "北京。"),
]


@pytest.fixture(scope="session")
def smol_dir() -> str:
    """The default model converted to safetensors (once per machine, in the tunesmith home)."""
    from tunesmith.models.resolve import resolve_model

    return resolve_model("smollm2-135m")


@pytest.fixture(scope="session")
def smol_tokenizer(smol_dir):
    from tunesmith.models.loading import load_tokenizer

    return load_tokenizer(smol_dir)


def save_tiny_llama(folder: Path, tokenizer, **overrides) -> Path:
    """Save a 2-layer, 32-wide random Llama (seed 0) with `tokenizer` into `folder`; `overrides` go to LlamaConfig."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **overrides,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, smol_tokenizer) -> Path:
    """A 2-layer, 32-wide random Llama with SmolLM2's tokenizer and chat template, saved as a model folder."""
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), smol_tokenizer)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def chat_file(tmp_path) -> Path:
    """32 short OpenAI-format conversations."""
    rows = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in QUESTIONS * 6
    ][:32]
    return write_jsonl(tmp_path / "chat.jsonl", rows)


@pytest.fixture
def make_recipe(tmp_path, tiny_model_dir, chat_file):
    """Build a validated recipe for the tiny model; keyword sections update the defaults (`method` replaces)."""

    def build(**sections):
        raw = {
            "model": str(tiny_model_dir),
            "data": {"train": str(chat_file), "validation_split": 0.25},
            "method": {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
            "train": {"max_steps": 4, "batch_size": 4, "learning_rate": 1e-3, "eval_steps": 2, "logging_steps": 1},
            "eval": {"file": str(chat_file), "metrics": ["exact_match"], "max_new_tokens": 8, "limit": 4},
            "output": {"dir": str(tmp_path / "runs"), "name": "tiny"},
        }
        for key, value in sections.items():
            merge = key != "method" and isinstance(value, dict) and isinstance(raw.get(key), dict)
            raw[key] = {**raw[key], **value} if merge else value
        return validate_recipe(raw)

    return build
