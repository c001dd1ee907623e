"""RAFT training data: chat records whose last user turn is rebuilt with retrieved chunks (gold + distractors).

Distractors are the retriever's own best non-gold chunks for the question (hard negatives: the passages the
model will meet at serving time), shuffled with the gold chunk so position teaches nothing. Draws follow the run's
seed, so the same recipe gives the same prompts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from tunesmith.config.recipe import RaftConfig
from tunesmith.errors import InputError
from tunesmith.rag.evaluate import gold_chunks
from tunesmith.rag.manifest import Chunk
from tunesmith.rag.prompt import DEFAULT_TEMPLATE, NOT_FOUND, check_template, with_context
from tunesmith.rag.retrieve import Retriever

Rows = Callable[[str, list[dict]], list[dict]]


def raft_rows(cfg: RaftConfig, seed: int) -> Rows:
    """A row transform for the training loader: (file, chat rows) → the same rows with retrieved context."""
    template = check_template(cfg.template, "data.rag.template") if cfg.template else DEFAULT_TEMPLATE
    retriever = Retriever(cfg.index)
    by_id = {c.id: c for c in retriever.chunks}

    def transform(file: str, rows: list[dict]) -> list[dict]:
        rng = random.Random(f"{seed}:{file}")
        return [_with_context(row, retriever, by_id, cfg, template, rng) for row in rows]

    return transform


def _with_context(
    row: dict, retriever: Retriever, by_id: dict[str, Chunk], cfg: RaftConfig, template: str, rng: random.Random
) -> dict:
    where = row.get("where", "record")
    messages = row["messages"]
    if len(messages) < 2 or messages[-1]["role"] != "assistant" or messages[-2]["role"] != "user":
        raise InputError(where, "RAFT needs a record ending in a user question and its assistant answer")
    meta = row.get("meta") or {}
    meta = json.loads(meta) if isinstance(meta, str) else meta
    gold = gold_chunks(meta, where, retriever.chunks)
    question = messages[-2]["content"]
    ranked = retriever.search(question, k=cfg.distractors + len(gold) + 5, mode=cfg.mode)
    distractors = [h.chunk for h in ranked if h.chunk.id not in gold][: cfg.distractors]
    keep_gold = rng.random() < cfg.p_gold
    if keep_gold:
        cited = sorted(gold)[0]
        passages = [by_id[cited], *distractors]
        answer = f"{messages[-1]['content'].rstrip()} [{cited}]"
    else:
        passages = [h.chunk for h in ranked if h.chunk.id not in gold][: max(1, cfg.distractors + 1)]
        answer = NOT_FOUND
    rng.shuffle(passages)
    prompt = with_context(question, [(c.id, c.text) for c in passages], template)
    turns = [*messages[:-2], {**messages[-2], "content": prompt}, {**messages[-1], "content": answer}]
    return {**row, "messages": turns}
