"""Inspect a workspace data file as `tunesmith data inspect` does, for the Data page: the CLI's own `inspect_file`,
measured with the served base model's tokenizer, plus a token-length histogram.

Every location in the result or in an error is named relative to the workspace (`data/x.jsonl:3`), which is what
the CLI prints when run in the workspace folder: the same words, and no server path.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.data.inspect import inspect_file
from tunesmith.data.lengths import Overlong
from tunesmith.errors import InputError
from tunesmith.ui.workspace import Workspace

HISTOGRAM_BINS = 20
# One inspection at a time: it is CPU-bound already, and the served tokenizer is shared with the model's workers.
_ONE_AT_A_TIME = threading.Lock()


class Bin(BaseModel):
    """Records with `lo` to `hi` tokens (both inclusive)."""

    lo: int
    hi: int
    count: int


class OverlongFirst(BaseModel):
    where: str  # e.g. "data/x.jsonl: record 17"
    tokens: int


class OverlongOut(BaseModel):
    """Records over `max_length` tokens and what truncation to it would cut (the CLI's "over max-length" line)."""

    max_length: int
    overlong: int
    tokens_lost: int
    trained_tokens_lost: int | None
    emptied: int = Field(description="overlong records left with no trained token")
    longest: int
    first: OverlongFirst | None


class InspectOut(BaseModel):
    """What `tunesmith data inspect` prints, as data."""

    path: str = Field(description="workspace-relative")
    model: str = Field(description="whose tokenizer and chat template measured the tokens (the served base model)")
    format: str = Field(description="detected (or given) format")
    records: int
    turns: dict[str, int] = Field(description="messages by role")
    keys: dict[str, list[str]] = Field(description="record keys the format reads ('read'), and keeps in meta")
    counts: dict[str, int] = Field(description="preference data: pairs, skipped, desirable/undesirable")
    token_lengths: dict[str, float] = Field(description="tokens per record: min, mean, p50, p95, max")
    histogram: list[Bin]
    trained_tokens: int
    total_tokens: int
    trained_share: float
    overlong: OverlongOut | None
    first_example: list[tuple[str, bool]] = Field(description="the first record as (text, trained?) segments")


def inspect_data(
    space: Workspace, relative: str, tokenizer: Any, model: str, fmt: str = "auto", max_length: int = 1024
) -> InspectOut:
    """Inspect `relative` (already confined to `space`); an InputError names the file as the CLI would."""
    path = space.root / relative
    try:
        with _ONE_AT_A_TIME:
            found = inspect_file(path, tokenizer, fmt, max_length=max_length)
    except InputError as exc:
        raise InputError(_relative(space, exc.where), _relative(space, exc.message)) from None
    return InspectOut(
        path=relative,
        model=model,
        format=found.format,
        records=found.records,
        turns=found.turns,
        keys=found.keys,
        counts=found.counts,
        token_lengths=found.token_lengths,
        histogram=length_bins(found.lengths),
        trained_tokens=found.trained_tokens,
        total_tokens=found.total_tokens,
        trained_share=round(found.trained_tokens / max(found.total_tokens, 1), 4),
        overlong=None if found.overlong is None else _overlong(space, found.overlong),
        first_example=found.first_example,
    )


def _overlong(space: Workspace, over: Overlong) -> OverlongOut:
    first = None if over.first is None else OverlongFirst(where=_relative(space, over.first[0]), tokens=over.first[1])
    return OverlongOut(
        max_length=over.max_length,
        overlong=over.overlong,
        tokens_lost=over.tokens_lost,
        trained_tokens_lost=over.trained_tokens_lost,
        emptied=over.emptied,
        longest=over.longest,
        first=first,
    )


def length_bins(lengths: list[int], most: int = HISTOGRAM_BINS) -> list[Bin]:
    """At most `most` equal-width integer bins from the shortest to the longest length, every record in one."""
    if not lengths:
        return []
    low, high = min(lengths), max(lengths)
    width = max(1, math.ceil((high - low + 1) / most))
    count = math.ceil((high - low + 1) / width)
    bins = [Bin(lo=low + i * width, hi=min(high, low + (i + 1) * width - 1), count=0) for i in range(count)]
    for length in lengths:
        bins[(length - low) // width].count += 1
    return bins


def _relative(space: Workspace, text: str) -> str:
    """`text` with the workspace's absolute folder taken off every path in it."""
    return text.replace(f"{space.root}{os.sep}", "")
