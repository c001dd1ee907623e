"""What the run trains on, as micro-batches: counted from a data file with the model's tokenizer, or given as
numbers. Batches are formed as the trainer forms them: a seeded random order, rows cut at `max_length`, each
batch padded to its longest row (rounded up to `pad_to_multiple_of`)."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass

from tunesmith.advise.plan import Batch
from tunesmith.errors import InputError

COUNT_LIMIT = 2000  # examples tokenized to learn the length distribution; larger data is sampled


@dataclass(frozen=True)
class Workload:
    """The training examples and one epoch of micro-batches (over the counted sample)."""

    examples: int
    batches: tuple[Batch, ...]
    source: str

    @property
    def longest(self) -> Batch:
        """The batch of longest rows (the memory peak; ties: the most labelled tokens)."""
        return max(self.batches, key=lambda b: (b.length, b.labelled))

    @property
    def mean_tokens(self) -> float:
        """Real (unpadded) tokens per micro-batch, on average."""
        return sum(b.tokens for b in self.batches) / len(self.batches)


def from_numbers(examples: int, tokens: int, batch_size: int, max_length: int, labelled: int | None = None) -> Workload:
    """`examples` rows of `tokens` tokens each (cut at `max_length`), `labelled` of them scored (default: all)."""
    if examples < 1 or tokens < 1:
        raise InputError("--examples/--tokens-per-example", "expected positive numbers")
    length = min(tokens, max_length)
    scored = min(length, labelled if labelled is not None else length)
    rows = [(length, scored)] * min(examples, COUNT_LIMIT)
    source = f"{examples:,} examples × {length:,} tokens ({scored:,} labelled), as given"
    return from_lengths(rows, examples, batch_size, None, seed=0, source=source)


def from_lengths(
    rows: list[tuple[int, int]], examples: int, batch_size: int, pad_to: int | None, seed: int, source: str
) -> Workload:
    """Micro-batches of (tokens, labelled) rows in a seeded random order, each padded to its longest row."""
    order = list(rows)
    random.Random(seed).shuffle(order)
    batches = []
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        longest = max(t for t, _ in chunk)
        length = math.ceil(longest / pad_to) * pad_to if pad_to else longest
        batches.append(Batch(len(chunk), length, sum(t for t, _ in chunk), sum(s for _, s in chunk)))
    return Workload(examples=examples, batches=tuple(batches), source=source)


def count_rows(dataset, tokenizer, template: str | None, max_length: int, seed: int) -> list[tuple[int, int]]:
    """(tokens, labelled tokens) of each example (a seeded sample of COUNT_LIMIT when there are more), cut at
    `max_length`: chat `messages` through the training template (labelled: the assistant's tokens), or `text`
    (every token labelled)."""
    picks = list(range(len(dataset)))
    if len(picks) > COUNT_LIMIT:
        picks = sorted(random.Random(seed).sample(picks, COUNT_LIMIT))
    sample = dataset.select(picks)
    rows = []
    if "messages" in sample.column_names:
        from tunesmith.models.templates import assistant_token_mask

        tools = sample["tools"] if "tools" in sample.column_names else [None] * len(sample)
        for messages, spec in zip(sample["messages"], tools):
            ids, mask = assistant_token_mask(tokenizer, messages, template, json.loads(spec) if spec else None)
            rows.append((min(len(ids), max_length), sum(mask[:max_length])))
    elif "text" in sample.column_names:
        for text in sample["text"]:
            n = min(len(tokenizer(text)["input_ids"]), max_length)
            rows.append((n, n))
    else:
        raise InputError("data", f"advise counts chat (messages) or text data; got columns {sample.column_names}")
    if not rows:
        raise InputError("data", "no training examples to count")
    return rows


def packed(rows: list[tuple[int, int]], examples: int, max_length: int) -> list[tuple[int, int]]:
    """Rows as packing makes them: windows of `max_length` tokens filled end to end (pretrain's default)."""
    total = sum(t for t, _ in rows) * examples / len(rows)
    windows = max(1, math.ceil(total / max_length))
    return [(max_length, max_length)] * min(windows, COUNT_LIMIT)
