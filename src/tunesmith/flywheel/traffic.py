"""The logged teacher traffic one flywheel turn learns from, split into training requests and a held-out slice.

The split is by prompt, not by request: a prompt asked twice lands on one side only, so the held-out slice
never shows the student a question it was trained on. Answers rated down and not corrected are left out of
both sides (the export drops them from training, and they make no reference either).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tunesmith.data.records import prompt_of
from tunesmith.data.similarity import exact_key
from tunesmith.errors import InputError
from tunesmith.serve.logfilter import LogFilter
from tunesmith.serve.store import LoggedRequest, Store


@dataclass
class Traffic:
    """Every selected request (what the teacher served), and the usable ones split into train and held-out."""

    served: list[LoggedRequest]
    train: list[LoggedRequest]
    holdout: list[LoggedRequest]


def collect(store: Store, where: LogFilter, share: float, seed: int, source: str = "flywheel") -> Traffic:
    """The requests matching `where`, with a seeded `share` of their distinct prompts held out."""
    served = store.query(where)
    usable = [entry for entry in served if not (entry.rating == "down" and entry.correction is None)]
    train, holdout = split_holdout(usable, share, seed, source)
    return Traffic(served, train, holdout)


def split_holdout(
    entries: list[LoggedRequest], share: float, seed: int, source: str = "flywheel"
) -> tuple[list[LoggedRequest], list[LoggedRequest]]:
    """(train, held-out): about `share` of the distinct prompts (at least one, never all) go to held-out."""
    groups: dict[str, list[LoggedRequest]] = {}
    for entry in entries:
        groups.setdefault(prompt_key(entry), []).append(entry)
    if len(groups) < 2:
        where = f"{source}: key 'store'"
        raise InputError(where, f"{len(groups)} distinct logged prompt(s) match; expected at least 2 to hold one out")
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    held = set(keys[: min(len(keys) - 1, max(1, round(share * len(keys))))])
    train = [e for e in entries if prompt_key(e) not in held]
    holdout = [e for e in entries if prompt_key(e) in held]
    return train, holdout


def prompt_key(entry: LoggedRequest) -> str:
    """What makes two requests the same question: their user turns, normalized as exact dedup compares text."""
    return exact_key(prompt_of({"messages": [*(entry.messages or []), {"role": "assistant", "content": ""}]}))


def prompt_messages(entry: LoggedRequest) -> list[dict]:
    """The conversation the teacher answered (roles and contents only)."""
    return [{"role": m["role"], "content": m["content"]} for m in entry.messages or []]


def holdout_rows(entries: list[LoggedRequest]) -> list[dict]:
    """The held-out slice as written to disk: prompt, the teacher's answer (the reference), any correction."""
    return [
        {
            "request_id": entry.id,
            "messages": prompt_messages(entry),
            "reference": entry.output,
            "correction": entry.correction,
        }
        for entry in entries
    ]
