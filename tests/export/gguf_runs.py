"""Runs the GGUF and Ollama tests export: a tiny random Llama whose greedy replies vary token by token.

The shared tiny model (init std 0.02, tied embeddings) greedily repeats one token, which would make "identical
replies" a weak check; init std 0.2 gives replies that change at every step, so a wrong weight shows.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import QUESTIONS, save_tiny_llama, write_jsonl
from tunesmith.config import validate_recipe
from tunesmith.train.run import train


def shared_root(tmp_path_factory) -> Path:
    """One folder per test session for these runs, so test_gguf and test_ollama train them once."""
    root = tmp_path_factory.getbasetemp() / "gguf-runs"
    root.mkdir(exist_ok=True)
    return root


def varied_tiny_llama(root: Path, tokenizer) -> Path:
    """The tiny Llama (2 layers, 32 wide, SmolLM2's tokenizer and chat template) with init std 0.2, once."""
    folder = root / "varied-tiny-llama"
    if not (folder / "config.json").is_file():
        save_tiny_llama(folder, tokenizer, initializer_range=0.2)
    return folder


def train_run(
    root: Path, model: str | Path, name: str, steps: int = 8, method: dict | None = None, learning_rate: float = 2e-2
) -> Path:
    """A finished run of `method` (LoRA r=4 by default) on the tiny model, trained once per `root`."""
    run_dir = root / "runs" / name
    if (run_dir / "final").is_dir():
        return run_dir
    rows = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in QUESTIONS]
    chat = write_jsonl(root / "chat.jsonl", rows * 4)
    recipe = validate_recipe(
        {
            "model": str(model),
            "data": {"train": str(chat), "validation_split": 0.25},
            "method": method or {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
            "train": {"max_steps": steps, "batch_size": 4, "learning_rate": learning_rate, "eval_steps": steps},
            "eval": {"file": str(chat), "metrics": ["exact_match", "rouge_l"], "max_new_tokens": 8, "limit": 6},
            "output": {"dir": str(root / "runs"), "name": name},
        }
    )
    train(recipe)
    return run_dir
