"""The task every arm answers: the held-out questions, their references, and the pools arms may learn from."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from tunesmith.arena.config import TaskConfig
from tunesmith.data.loading import load_messages
from tunesmith.eval.run import split_last_reply


@dataclass
class Examples:
    """Conversations up to their last assistant reply, that reply as the reference, and each record's group."""

    prompts: list[list[dict]]
    references: list[str]
    groups: list[str | None]

    def __len__(self) -> int:
        return len(self.prompts)

    def questions(self) -> list[str]:
        """Each conversation's last user turn: what retrieval and demonstration search look up."""
        return [last_user(p) for p in self.prompts]

    def subset(self, rows: list[int]) -> Examples:
        return Examples(
            [self.prompts[i] for i in rows], [self.references[i] for i in rows], [self.groups[i] for i in rows]
        )


def read_examples(path: Path, by: str | None = None, limit: int | None = None) -> Examples:
    """A chat file's examples (the first `limit`), grouped by the `by` field of each record's meta."""
    _, rows = load_messages(path)
    examples = Examples([], [], [])
    for row in rows[:limit] if limit else rows:
        prompt, reference = split_last_reply(row)
        examples.prompts.append(prompt)
        examples.references.append(reference)
        group = (row.get("meta") or {}).get(by) if by else None
        examples.groups.append(None if group is None else str(group).lower())
    return examples


def last_user(conversation: list[dict]) -> str:
    """The text of the conversation's last user turn ('' when it has none)."""
    users = [m for m in conversation if m["role"] == "user"]
    return str(users[-1]["content"]) if users else ""


def with_instructions(conversation: list[dict], instructions: str | None) -> list[dict]:
    """The conversation with `instructions` as its system message (before any system message it already has)."""
    if not instructions:
        return conversation
    if conversation and conversation[0]["role"] == "system":
        joined = f"{instructions}\n\n{conversation[0]['content']}"
        return [{"role": "system", "content": joined}, *conversation[1:]]
    return [{"role": "system", "content": instructions}, *conversation]


def dev_split(task: TaskConfig, seed: int = 0) -> Examples:
    """The split prompts are tuned on: `task.dev`, else `dev_size` records of the training file (seeded)."""
    if task.dev is not None:
        return read_examples(task.dev)
    pool = read_examples(task.train)
    rows = sorted(random.Random(seed).sample(range(len(pool)), min(task.dev_size, len(pool))))
    return pool.subset(rows)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (what an arm's cached answers were computed from)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
