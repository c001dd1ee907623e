"""The prompts an adapter was trained on: the user turns of its run's training data, what the router learns from.

An adapter folder is found under its run (`run/`, `run/final/` or `run/checkpoints/checkpoint-N/`); the run's
`recipe.yaml` names the training file (and any `data.tasks` files). A bare PEFT folder has no recipe, so it has no
prompts: it stays servable by name, but `model: "auto"` never picks it.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.runs import RunDir, is_run_dir

MAX_PROMPTS = 2000  # per adapter: enough to place a task in embedding space, cheap to embed once


def run_of(folder: Path) -> RunDir | None:
    """The run directory an adapter folder belongs to (the folder itself, its parent, or a checkpoint's run)."""
    folder = Path(folder).resolve()
    for candidate in (folder, folder.parent, folder.parent.parent):
        if is_run_dir(candidate):
            return RunDir(candidate)
    return None


def training_prompts(folder: Path, limit: int = MAX_PROMPTS, seed: int = 0) -> list[str]:
    """Up to `limit` distinct user turns of the training data of the run `folder` belongs to, a seeded sample
    (the same every time); [] for an adapter with no run. Unreadable data is an InputError naming the file."""
    from tunesmith.config import load_run_recipe
    from tunesmith.data.loading import load_messages
    from tunesmith.data.training import format_options

    run = run_of(folder)
    if run is None:
        return []
    data = load_run_recipe(run.recipe).data
    seen: dict[str, None] = {}  # insertion-ordered set: duplicates counted once
    for path in [data.train, *data.tasks]:
        if not Path(path).exists():
            raise InputError(f"{run.recipe}: data.train {path}", "training data not found; the router learns from it")
        for row in load_messages(path, data.format, format_options(data))[1]:
            for turn in row["messages"]:
                text = _text(turn.get("content")) if turn.get("role") == "user" else ""
                if text.strip():
                    seen.setdefault(text, None)
    prompts = list(seen)
    if len(prompts) > limit:
        picked = sorted(random.Random(seed).sample(range(len(prompts)), limit))  # sampled, kept in file order
        prompts = [prompts[i] for i in picked]
    return prompts


def prompts_digest(prompts: list[str]) -> str:
    """sha256 of the prompts in order: what an adapter contributes to the router, hence the cache key."""
    digest = hashlib.sha256()
    for prompt in prompts:
        digest.update(prompt.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _text(content) -> str:
    if isinstance(content, list):  # text parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""
