"""`inspect_file`: what a data file holds — format, counts, token lengths, and which tokens would be trained."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from tunesmith.config import TrainConfig
from tunesmith.data.formats import FormatOptions, record_fields
from tunesmith.data.io import read_records
from tunesmith.data.lengths import Overlong
from tunesmith.data.loading import load_messages
from tunesmith.data.preference import preference_file
from tunesmith.models.templates import assistant_token_mask, training_template


@dataclass
class Inspection:
    """The summary `tunesmith data inspect` prints."""

    path: str
    format: str
    records: int
    turns: dict[str, int]
    token_lengths: dict[str, float]
    trained_tokens: int
    total_tokens: int
    first_example: list[tuple[str, bool]] = field(default_factory=list)  # (text, trained?) segments
    counts: dict[str, int] = field(default_factory=dict)  # preference data: pairs, skipped, desirable/undesirable
    overlong: Overlong | None = None  # records over max_length tokens and what truncation would cut
    keys: dict[str, list[str]] = field(default_factory=dict)  # chat data: record keys read, and kept in meta
    lengths: list[int] = field(default_factory=list)  # tokens per record, in file order (for a histogram)


DEFAULT_MAX_LENGTH = TrainConfig.model_fields["max_length"].default


def inspect_file(
    path: Path,
    tokenizer,
    fmt: str = "auto",
    options: FormatOptions | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> Inspection:
    """Read and convert `path`, then measure it under `tokenizer`'s chat template (with assistant masks), counting
    the records over `max_length` tokens (as `train.max_length` would cut them).

    Preference data is measured as prompt + chosen (or prompt + completion for KTO), the reply being the trained part.
    """
    preference = preference_file(path, fmt, options)
    keys: dict[str, list[str]] = {}
    if preference is None:
        detected, rows = load_messages(path, fmt, options)
        keys = record_keys(path, detected, options or FormatOptions())
    else:
        detected, rows = preference.format, preference.chat_rows()
    turns: dict[str, int] = {}
    for row in rows:
        for message in row["messages"]:
            turns[message["role"]] = turns.get(message["role"], 0) + 1
    template = training_template(tokenizer)
    lengths, trained = [], 0
    first: list[tuple[str, bool]] = []
    overlong = Overlong(max_length)
    unit = "record" if preference is None else ("pair" if preference.paired else "example")
    for i, row in enumerate(rows):
        ids, mask = assistant_token_mask(tokenizer, row["messages"], template, row.get("tools"))
        lengths.append(len(ids))
        trained += sum(mask)
        overlong.add(f"{path}: {unit} {i + 1}", len(ids), mask)
        if i == 0:
            first = segments(tokenizer, ids, mask)
    ordered = sorted(lengths)
    stats = {
        "min": ordered[0],
        "mean": round(statistics.fmean(ordered), 1),
        "p50": ordered[len(ordered) // 2],
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "max": ordered[-1],
    }
    counts = preference.counts() if preference is not None else {}
    return Inspection(
        str(path), detected, len(rows), turns, stats, trained, sum(lengths), first, counts, overlong, keys, lengths
    )


def segments(tokenizer, ids: list[int], mask: list[int]) -> list[tuple[str, bool]]:
    """Split a token sequence into runs of trained / untrained text, decoded."""
    out: list[tuple[str, bool]] = []
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or mask[i] != mask[start]:
            out.append((tokenizer.decode(ids[start:i]), bool(mask[start])))
            start = i
    return out


def record_keys(path: Path, fmt: str, options: FormatOptions) -> dict[str, list[str]]:
    """The keys the file's records have, split into those format `fmt` reads and those kept in `meta`."""
    present = {key for _, record in read_records(path) for key in record}
    fields = record_fields(fmt, options)
    return {"read": sorted(present & fields), "kept in meta": sorted(present - fields)}
