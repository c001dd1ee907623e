"""Replay: mix a share of general chat data into training, so the model keeps practising what it could do.

With no `replay_data` the general examples are the base model's own greedy answers to ~125 everyday prompts
shipped with tunesmith (self-synthesized rehearsal): replaying them pulls the tuned model toward the base
model's general behaviour without teaching it anything new. They are written once per base model and cached.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.config import Recipe
from tunesmith.progress import SILENT, Progress

GENERAL_PROMPTS = Path(__file__).parent / "general_prompts.jsonl"


def replay_count(train_examples: int, share: float) -> int:
    """How many general examples make `share` of the mixed training set."""
    return 0 if share <= 0 else math.ceil(train_examples * share / (1 - share))


def add_replay(train, recipe: Recipe, model_path: str, progress: Progress = SILENT):
    """`train` plus replayed general examples (seeded sample, with repeats if the pool is small), shuffled."""
    from tunesmith.data.loading import to_dataset

    count = replay_count(len(train), recipe.forgetting.replay)
    if count == 0:
        return train
    pool = _general_rows(recipe, model_path, progress)
    rng = random.Random(recipe.train.seed)
    picked = [pool[i % len(pool)] for i in rng.sample(range(max(count, len(pool))), count)]
    tools = train["tools"] if "tools" in train.column_names else [None] * len(train)
    own = [
        {
            "messages": [{k: v for k, v in m.items() if v is not None} for m in turns],
            "tools": json.loads(t) if t else None,
        }
        for turns, t in zip(train["messages"], tools)
    ]
    return to_dataset(own + [{"messages": row["messages"]} for row in picked]).shuffle(seed=recipe.train.seed)


def _general_rows(recipe: Recipe, model_path: str, progress: Progress) -> list[dict]:
    if recipe.forgetting.replay_data is not None:
        from tunesmith.data.loading import load_messages

        return load_messages(recipe.forgetting.replay_data)[1]
    return self_replay_rows(model_path, recipe.forgetting.replay_max_new_tokens, progress)


def self_replay_rows(model_path: str, max_new_tokens: int, progress: Progress = SILENT) -> list[dict]:
    """The base model's answers to the shipped general prompts, generated once and cached on disk."""
    from tunesmith.home import tunesmith_home

    prompts = [json.loads(line)["messages"] for line in GENERAL_PROMPTS.read_text(encoding="utf-8").splitlines()]
    key = hashlib.sha256(f"{_model_identity(model_path)}|{prompts}|{max_new_tokens}".encode()).hexdigest()[:16]
    cache = tunesmith_home() / "replay" / f"{key}.jsonl"
    if cache.is_file():
        return [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    from tunesmith.models.generate import generate
    from tunesmith.models.loading import load_model, load_tokenizer

    tokenizer = load_tokenizer(model_path)
    model = load_model(model_path).eval()
    progress.note(f"Writing replay data: the base model answers {len(prompts)} general prompts (cached after)")
    replies = generate(model, tokenizer, prompts, max_new_tokens, batch_size=16, progress=progress)
    rows = [{"messages": [*p, {"role": "assistant", "content": r}]} for p, r in zip(prompts, replies) if r]
    write_text(cache, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return rows


def _model_identity(model_path: str) -> str:
    """A folder's weight files (name, size, mtime), or the hub id: what the cached answers depend on."""
    folder = Path(model_path)
    if not folder.is_dir():
        return model_path
    files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
    return str(folder.resolve()) + "".join(f"|{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
