"""Load any chat-data file as canonical messages, turn rows into a Dataset, and convert between formats."""

from __future__ import annotations

import json
from pathlib import Path

from datasets import Dataset, Features, Value

from tunesmith.data.formats import (
    FORMATS,
    WRITABLE,
    FormatOptions,
    detect_format,
    from_messages,
    leftover_keys,
    record_tools,
    standard_keys,
    to_messages,
)
from tunesmith.data.io import file_kind, read_records, write_records
from tunesmith.data.preference import kto_chat_records, looks_like_preference
from tunesmith.errors import InputError
from tunesmith.schema import unknown_name

TOOL_CALL = {
    "id": Value("string"),
    "type": Value("string"),
    "function": {"name": Value("string"), "arguments": Value("string")},
}
TURN_FIELDS = {  # optional turn keys: present on every turn once any turn has one (None = unset), for one schema
    "weight": Value("int64"),
    "tool_calls": [TOOL_CALL],
    "tool_call_id": Value("string"),
    "name": Value("string"),
}


def load_messages(path: str | Path, fmt: str = "auto", options: FormatOptions | None = None) -> tuple[str, list[dict]]:
    """Read `path` in format `fmt` (or detect it): the format name and rows {"messages": [...]}, with "tools"
    when the record lists functions and "meta" holding every record key the format does not read."""
    name, converted = _convert(path, fmt, options)
    return name, [{key: value for key, value in row.items() if key != "where"} for row in converted]


def load_located(path: str | Path, fmt: str = "auto", options: FormatOptions | None = None) -> tuple[str, list[dict]]:
    """As `load_messages`, each row also keeping "where" (its file:line), for checks made later (its length)."""
    return _convert(path, fmt, options)


def to_dataset(rows: list[dict]) -> Dataset:
    """Rows as a Dataset in TRL's columns: `messages` (turn keys unified, so Arrow sees one schema) and, when any
    row lists functions, `tools` as JSON text (TRL reads it so). Provenance (`meta`) stays out of training data."""
    turn = {"role": Value("string"), "content": Value("string")}
    used = [key for key in TURN_FIELDS if any(key in m for row in rows for m in row["messages"])]
    turn.update({key: TURN_FIELDS[key] for key in used})
    columns = {"messages": [[{**m, **{key: m.get(key) for key in used}} for m in row["messages"]] for row in rows]}
    features = {"messages": [turn]}
    if any(row.get("tools") for row in rows):
        columns["tools"] = [json.dumps(row["tools"], ensure_ascii=False) if row.get("tools") else None for row in rows]
        features["tools"] = Value("string")
    return Dataset.from_dict(columns, features=Features(features))


def convert_file(
    src: str | Path, dst: str | Path, to: str, fmt: str = "auto", options: FormatOptions | None = None
) -> int:
    """Rewrite `src` as format `to` in `dst` (atomically; nothing written on error); return the count."""
    if to not in WRITABLE:
        raise InputError(str(dst), f"cannot write format {to!r}; expected one of {', '.join(WRITABLE)}")
    file_kind(dst)
    _, converted = _convert(src, fmt, options)
    records = []
    for row in converted:
        try:
            records.append(_written(row, to))
        except ValueError as e:
            raise InputError(row["where"], f"cannot be written as {to}: {e}") from None
    write_records(dst, records)
    return len(records)


def detect_chat_format(records: list[tuple[str, dict]], options: FormatOptions | None = None) -> str:
    """The chat format of `records`; preference data is refused, since it would otherwise pass for chat data (KTO
    for prompt/completion) and train the wrong thing."""
    first = records[0][0], standard_keys(records[0][1], options or FormatOptions())
    name = looks_like_preference(first[1])
    if name is not None:
        raise InputError(
            first[0],
            f"holds {name} preference data; expected chat data here "
            "(preference data trains with stage: dpo, orpo, simpo, kto or reward)",
        )
    return detect_format(records, options)


def _written(row: dict, to: str) -> dict:
    """One converted row as a record in format `to`, with its functions and the keys kept in meta."""
    record = from_messages(row["messages"], to)
    if row.get("tools"):
        if to == "alpaca":
            raise ValueError("alpaca cannot hold tools; write openai or sharegpt instead")
        record["tools"] = json.dumps(row["tools"], ensure_ascii=False) if to == "sharegpt" else row["tools"]
    if row.get("meta"):
        record["meta"] = row["meta"]
    return record


def _convert(path: str | Path, fmt: str, options: FormatOptions | None) -> tuple[str, list[dict]]:
    """Read, pick the format, and convert every record: rows {"where", "messages", "tools"?, "meta"?}."""
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(str(path), unknown_name("format", fmt, ("auto", *FORMATS)))
    options = options or FormatOptions()
    records = kto_chat_records(str(path), read_records(path), options)  # KTO labels: refused, or desirable only
    name = detect_chat_format(records, options) if fmt == "auto" else fmt
    rows = []
    for where, record in records:
        row = {"where": where, "messages": to_messages(record, where, name, options)}
        tools = record_tools(record, where, options)
        if tools:
            row["tools"] = tools
        meta = leftover_keys(record, where, name, options)
        if meta:
            row["meta"] = meta
        rows.append(row)
    return name, rows
