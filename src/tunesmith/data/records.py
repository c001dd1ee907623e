"""Read and rewrite the text inside canonical records, whatever their shape (chat, prompt/completion, text).

A canonical record has `messages`, or `prompt`/`completion` (and `chosen`/`rejected` for preferences), or
`text`; provenance lives in `meta`, stored as a JSON string inside datasets so every record has one schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

TEXT_COLUMNS = ("text", "prompt", "completion", "chosen", "rejected")
MESSAGE_COLUMNS = ("messages", "prompt", "completion", "chosen", "rejected")


def _is_turns(value: Any) -> bool:
    """Whether `value` is a list of chat turns ({"role", "content"} dicts)."""
    return isinstance(value, list) and all(isinstance(turn, dict) and "content" in turn for turn in value)


def texts(record: dict, system: bool = True) -> list[str]:
    """Every piece of free text in the record, in order (message contents, prompt, completion, text, …)."""
    found: list[str] = []
    for column in ("messages", *TEXT_COLUMNS):
        value = record.get(column)
        if isinstance(value, str):
            found.append(value)
        elif _is_turns(value):
            found.extend(turn["content"] or "" for turn in value if system or turn.get("role") != "system")
    return found


def full_text(record: dict, system: bool = True) -> str:
    """All the record's text joined by newlines: what PII and toxicity look at.

    Comparisons between records (dedup, relevance) pass `system=False`: a system prompt is usually shared by
    every record and would make them all look alike.
    """
    return "\n".join(texts(record, system))


def map_texts(record: dict, fn: Callable[[str], str]) -> dict:
    """The record's text columns with `fn` applied to every text (other columns untouched)."""
    updated: dict = {}
    for column in ("messages", *TEXT_COLUMNS):
        value = record.get(column)
        if isinstance(value, str):
            updated[column] = fn(value)
        elif _is_turns(value):
            updated[column] = [{**turn, "content": fn(turn["content"] or "")} for turn in value]
    return updated


def prompt_of(record: dict) -> str:
    """What the model is asked: user turns before the last assistant turn, or `prompt`, or `text`.

    System prompts are left out: shared by most records, they would make every prompt look alike.
    """
    messages = record.get("messages")
    if _is_turns(messages):
        last = max((i for i, t in enumerate(messages) if t.get("role") == "assistant"), default=len(messages))
        return "\n".join(t["content"] or "" for t in messages[:last] if t.get("role") == "user")
    prompt = record.get("prompt")
    if _is_turns(prompt):
        return "\n".join(t["content"] or "" for t in prompt)
    if isinstance(prompt, str):
        return prompt
    return record.get("text") or ""


def answer_of(record: dict) -> str:
    """What the model should say: the last assistant turn, or `completion` ('' for plain text records)."""
    messages = record.get("messages")
    if _is_turns(messages):
        answers = [t["content"] or "" for t in messages if t.get("role") == "assistant"]
        return answers[-1] if answers else ""
    completion = record.get("completion")
    if _is_turns(completion):
        return "\n".join(t["content"] or "" for t in completion)
    return completion if isinstance(completion, str) else ""


def get_meta(record: dict) -> dict:
    """The record's provenance as a dict ({} when absent)."""
    meta = record.get("meta")
    if isinstance(meta, str):
        return json.loads(meta) if meta else {}
    return dict(meta or {})


def dump_meta(meta: dict) -> str:
    """`meta` in its stored form (JSON text, keys sorted so equal metas compare equal)."""
    return json.dumps(meta, ensure_ascii=False, sort_keys=True)


def with_meta(record: dict, **fields: Any) -> str:
    """The record's stored meta with `fields` added or replaced."""
    return dump_meta({**get_meta(record), **fields})


def to_output(record: dict) -> dict:
    """A record as written to disk: meta as an object, empty columns dropped."""
    out = {key: _without_nulls(value) for key, value in record.items() if value is not None and key != "meta"}
    meta = get_meta(record)
    if meta:
        out["meta"] = meta
    return out


def _without_nulls(value: Any) -> Any:
    """Chat turns without keys Arrow filled with None (a turn with no `weight` has none on disk either)."""
    if _is_turns(value):
        return [{k: v for k, v in turn.items() if v is not None} for turn in value]
    return value
