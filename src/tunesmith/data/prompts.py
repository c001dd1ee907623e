"""Prompts for online RL and distillation: a conversational `prompt` per record, from any shape of data.

Records with a `prompt` field give it as is; preference records their prompt, with the chosen reply as the
`answer` column; chat records every turn before the last assistant reply, whose text is the `answer`, or, when
they end with a user (or system/developer) turn, as OpenAI's reinforcement files do, every turn, with no `answer`;
the record's other fields (e.g. `reference_answer`) stay columns for the rewards that read them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from datasets import Dataset

from tunesmith.data.formats import FormatOptions, detect_format, to_messages
from tunesmith.data.io import read_records
from tunesmith.data.preference import PREFERENCE_FORMATS, looks_like_preference, preference_module, user_prompt
from tunesmith.errors import InputError

PROMPT_ROLES = ("user", "system")  # a conversation ending with one of these turns waits for an answer


def prompt_dataset(path: Path, fmt: str, options: FormatOptions, columns: list[str]) -> Dataset:
    """`prompt` plus `columns` (e.g. the reference `answer` a reward reads) for every usable record of `path`,
    read as format `fmt` ("auto": detected)."""
    records = read_records(path)
    if fmt == "auto":
        first = records[0][1]
        fmt = looks_like_preference(first) or ("prompt" if options.column("prompt") in first else None)
        fmt = fmt or detect_format(records, options)
    rows = []
    for where, record in records:
        row = _prompt_row(record, where, fmt, options)
        if row is None:
            continue  # a rated record whose completions all tie still has no preferred answer
        missing = next((c for c in columns if row.get(c) is None), None)
        if missing is not None:
            raise InputError(where, f"field '{missing}' is missing; expected it for the rewards that read it")
        rows.append({"prompt": row["prompt"], **{c: str(row[c]) for c in columns}})
    return Dataset.from_list(rows)


def _prompt_row(record: dict, where: str, fmt: str, options: FormatOptions) -> dict | None:
    """The record with its conversational `prompt` (and `answer`, where the data has a preferred reply)."""
    if fmt == "prompt":
        column = options.column("prompt")
        return {**record, "prompt": user_prompt(record.get(column), column, where)}
    if fmt in PREFERENCE_FORMATS:
        row = preference_module(fmt).to_row(record, where, options)
        if isinstance(row, str):
            return None
        preferred = row.get("chosen") or (row["completion"] if row.get("label") else None)  # KTO: desirable only
        answer = preferred[-1]["content"] if preferred else None
        return {**record, "prompt": row["prompt"], "answer": record.get("answer", answer)}
    given = to_messages(record, where, fmt, replace(options, require_reply=False))
    if given and given[-1]["role"] in PROMPT_ROLES:  # a prompt to answer (OpenAI's reinforcement files): all of it
        turns = [{"role": m["role"], "content": m["content"]} for m in given]
        return {**record, "prompt": user_prompt(turns, "messages", where)}
    messages = to_messages(record, where, fmt, options)
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    turns = [{"role": m["role"], "content": m["content"]} for m in messages[:last]]
    return {**record, "prompt": user_prompt(turns, "messages", where), "answer": messages[last]["content"]}
