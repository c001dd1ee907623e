"""Self-play fine-tuning (SPIN, Chen et al. 2024): DPO where the rejected reply is the model's own answer.

It trains on SFT data (`messages`). Before training, the starting model (in a chain, the SFT stage's output)
answers every training and validation prompt; each prompt whose answer differs from the reference becomes a pair,
reference chosen, own answer rejected. The pairs are the mistakes this model actually makes, which hand-made
rejected replies rarely are. With `balance_failures` (the default) no failure type (train/failures.py) gets more
pairs than the mean per type. The pairs are written to `self-play/` in the run directory, with each failure type's
count before and after balancing in `failures.json`, and reused on `--resume`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.config.stages import SpinConfig as Config
from tunesmith.data.io import write_records
from tunesmith.errors import InputError
from tunesmith.train.failures import balance, failure_type
from tunesmith.train.job import TrainJob
from tunesmith.train.stages import dpo
from tunesmith.train.stages.base import Stage
from tunesmith.train.stages.sft import chat_data


def build_trainer(job: TrainJob, cfg: Config):
    """Answer the prompts with `model`, pair the wrong answers against the references, and build a DPOTrainer."""
    from datasets import Dataset

    from tunesmith.data.training import TrainingData

    model, tokenizer, train_ds, eval_ds = job.model, job.tokenizer, job.data.train, job.data.validation
    folder = job.run.root / "self-play"
    if cfg.max_prompts is not None and len(train_ds) > cfg.max_prompts:
        train_ds = train_ds.shuffle(seed=job.recipe.train.seed).select(range(cfg.max_prompts))
    seed = job.recipe.train.seed
    train_pairs = Dataset.from_list(_pairs(model, tokenizer, train_ds, cfg, folder / "train.jsonl", seed))
    if len(train_pairs) == 0:
        raise InputError(
            str(job.recipe.data.train),
            "the starting model already answers every training prompt exactly as the reference; "
            "there is nothing for self-play to learn",
        )
    eval_pairs = None
    if eval_ds is not None:
        rows = _pairs(model, tokenizer, eval_ds, cfg, folder / "validation.jsonl", seed)
        eval_pairs = Dataset.from_list(rows) if rows else None
    return dpo.build_trainer(replace(job, data=TrainingData(train_pairs, eval_pairs)), cfg)


def self_play_pairs(conversations: list[list[dict]], answers: list[str]) -> list[dict]:
    """(prompt, chosen = reference, rejected = own answer) for each conversation the model answered differently."""
    rows = []
    for messages, answer in zip(conversations, answers):
        reference = messages[-1]["content"]
        if answer.strip() == reference.strip():
            continue
        rows.append({
            "prompt": messages[:-1],
            "chosen": [{"role": "assistant", "content": reference}],
            "rejected": [{"role": "assistant", "content": answer}],
        })  # fmt: skip
    return rows


def _pairs(model, tokenizer, messages_ds, cfg: Config, cache: Path, seed: int) -> list[dict]:
    """The self-play pairs for `messages_ds` (balanced across failure types if `cfg` says so), generated once and
    cached at `cache`; the failure counts go beside it."""
    if cache.is_file():
        return [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    from tunesmith.models.generate import generate

    conversations = [m for m in messages_ds["messages"] if m and m[-1]["role"] == "assistant"]
    padding_side, use_cache, training = tokenizer.padding_side, model.config.use_cache, model.training
    model.eval()
    model.config.use_cache = True
    try:
        answers = generate(
            model,
            tokenizer,
            [m[:-1] for m in conversations],
            max_new_tokens=cfg.max_new_tokens,
            batch_size=cfg.generation_batch_size,
            temperature=cfg.temperature,
        )
    finally:
        tokenizer.padding_side, model.config.use_cache = padding_side, use_cache
        model.train(training)
    rows = self_play_pairs(conversations, answers)
    types = [failure_type(row["rejected"][0]["content"], row["chosen"][0]["content"]) for row in rows]
    kept = balance(types, seed) if cfg.balance_failures else list(range(len(rows)))
    kept_types = Counter(types[i] for i in kept)
    counts = {kind: {"found": n, "kept": kept_types[kind]} for kind, n in Counter(types).most_common()}
    failures = cache.parent / "failures.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(failures.read_text(encoding="utf-8")) if failures.is_file() else {}
    write_text(failures, json.dumps({**earlier, cache.stem: counts}, indent=2, ensure_ascii=False))
    rows = [rows[i] for i in kept]
    write_records(cache, rows)
    return rows


# `messages` data, like SFT's: the pairs are made from it once the model is loaded
STAGE = Stage(needs=chat_data, build_trainer=build_trainer)
