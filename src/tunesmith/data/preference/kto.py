"""Unpaired thumbs-up/down data for KTO: {"prompt", "completion", "label": true|false}."""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions, type_name
from tunesmith.data.preference import field_value, reply, user_prompt
from tunesmith.errors import InputError

NAME = "kto"
KEYS = ("prompt", "completion", "label")


def matches(record: dict) -> bool:
    """Whether the record has `completion` and `label` fields."""
    return "completion" in record and "label" in record


def to_row(record: dict, where: str, options: FormatOptions) -> dict:
    """The prompt and completion as messages, and whether the completion is desirable."""
    columns = {name: options.column(name) for name in KEYS}
    prompt = user_prompt(field_value(record, "prompt", where, options, "the prompt"), columns["prompt"], where)
    completion = reply(field_value(record, "completion", where, options, "the reply"), columns["completion"], where)
    label = _boolean(field_value(record, "label", where, options, "true or false"), columns["label"], where)
    return {"prompt": prompt, "completion": completion, "label": label}


def _boolean(value: object, column: str, where: str) -> bool:
    """A JSON boolean; the text 'true'/'false' is accepted too (CSV stores every cell as text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InputError(where, f"field '{column}' must be true or false, got {value!r} ({type_name(value)})")
