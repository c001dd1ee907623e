"""Records longer than `max_length` tokens: counted and reported, then truncated (as TRL does), dropped or refused.

TRL cuts every tokenized sequence at `max_length` (SFTConfig: `truncation_mode="keep_start"`, also when packing
with `bfd`), silently. Training measures each chat record the way TRL tokenizes it (the tokenizer's chat template
rendered, then tokenized) and acts on `train.overlong`; `data inspect` reports the same counts before a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress

OVERLONG = ("truncate", "drop", "fail")
KEY = "train.max_length"


@dataclass
class Overlong:
    """What `max_length` would cut: records over it, the tokens past it, the longest, and the first such record."""

    max_length: int
    records: int = 0  # records measured
    overlong: int = 0
    tokens_lost: int = 0
    trained_tokens_lost: int | None = None  # of those, tokens the loss is on (known where masks are measured)
    emptied: int = 0  # overlong records left with no trained token (TRL then leaves them out of training)
    longest: int = 0
    first: tuple[str, int] | None = None  # (where, length) of the first overlong record, in file order
    dropped: int = 0
    tokens: int = 0  # tokens training sees, each record cut at max_length

    def add(self, where: str, length: int, mask: list[int] | None = None) -> bool:
        """Count one record of `length` tokens (`mask`: 1 on the tokens trained on, if known); True if over."""
        self.records += 1
        self.longest = max(self.longest, length)
        self.tokens += min(length, self.max_length)
        if length <= self.max_length:
            return False
        self.overlong += 1
        self.tokens_lost += length - self.max_length
        if mask is not None:
            self.trained_tokens_lost = (self.trained_tokens_lost or 0) + sum(mask[self.max_length :])
            self.emptied += any(mask) and not any(mask[: self.max_length])
        if self.first is None:
            self.first = (where, length)
        return True

    def as_dict(self) -> dict:
        """The counts as plain JSON values (for summary.json)."""
        first = None if self.first is None else {"where": self.first[0], "tokens": self.first[1]}
        return {
            "max_length": self.max_length,
            "records": self.records,
            "overlong": self.overlong,
            "tokens_lost": self.tokens_lost,
            "longest": self.longest,
            "first": first,
            "dropped": self.dropped,
        }


@dataclass
class LengthLimit:
    """How training treats chat records over `max_length` tokens of `tokenizer` (`overlong`: truncate, drop or fail).

    Called once per file with its rows ({"where", "messages", "tools"?}); each file's counts are kept in `found`
    (by file) and reported through `progress`."""

    tokenizer: Any
    max_length: int
    overlong: str = "truncate"
    progress: Progress = SILENT
    found: dict[str, Overlong] = field(default_factory=dict)

    def mean_tokens(self) -> float | None:
        """Tokens per measured record, each cut at max_length (None before any file is measured)."""
        records = sum(counts.records for counts in self.found.values())
        return sum(counts.tokens for counts in self.found.values()) / records if records else None

    def __call__(self, source: str, rows: list[dict]) -> list[dict]:
        """`rows` as training will see them: all (truncate), the ones within the limit (drop), or InputError."""
        if self.overlong not in OVERLONG:
            raise ValueError(f"overlong must be one of {', '.join(OVERLONG)}, got {self.overlong!r}")
        counts = Overlong(self.max_length)
        lengths = token_lengths(self.tokenizer, rows)
        over = [counts.add(row["where"], length) for row, length in zip(rows, lengths)]
        self.found[source] = counts
        if not counts.overlong:
            return rows
        where, length = counts.first
        if self.overlong == "fail":
            raise InputError(
                where,
                f"record is {length:,} tokens long, over {KEY} ({self.max_length:,}); expected at most "
                f"{self.max_length:,} tokens ({counts.overlong:,} of {counts.records:,} records in this file are "
                "longer): raise train.max_length, or set train.overlong: truncate (cut them) or drop (skip them)",
            )
        if self.overlong == "drop":
            kept = [row for row, cut in zip(rows, over) if not cut]
            if not kept:
                raise InputError(source, f"every record is over {KEY} ({self.max_length:,} tokens); nothing to train")
            counts.dropped = len(rows) - len(kept)
            self.progress.note(f"{source}: {describe(counts)}; dropped them (train.overlong: drop)")
            return kept
        self.progress.note(
            f"warning: {source}: {describe(counts)}; truncated to {self.max_length:,} tokens, losing "
            f"{counts.tokens_lost:,} tokens (train.overlong: drop or fail to skip or refuse them)"
        )
        return rows


def describe(counts: Overlong) -> str:
    """'3 of 120 records are over train.max_length (1,024 tokens; longest 2,310, first at file:17)'."""
    first = f", first at {counts.first[0]}" if counts.first else ""
    return (
        f"{counts.overlong:,} of {counts.records:,} records are over {KEY} ({counts.max_length:,} tokens; "
        f"longest {counts.longest:,}{first})"
    )


def token_lengths(tokenizer, rows: list[dict]) -> list[int]:
    """Each row's token count as TRL's SFT tokenizes it: the chat template rendered, then tokenized (in one batch)."""
    texts = []
    for row in rows:
        messages = [{k: v for k, v in m.items() if v is not None} for m in row["messages"]]
        texts.append(tokenizer.apply_chat_template(messages, tools=row.get("tools") or None, tokenize=False))
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
