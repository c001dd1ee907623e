"""Load any chat-data file as canonical messages, turn rows into a Dataset, and convert between formats."""

from __future__ import annotations

from pathlib import Path

from datasets import Dataset, Features, Value

from tunesmith.data.formats import (
    FORMATS,
    WRITABLE,
    FormatOptions,
    detect_format,
    from_messages,
    standard_keys,
    to_messages,
)
from tunesmith.data.io import file_kind, read_records, write_records
from tunesmith.data.preference import kto_chat_records, looks_like_preference
from tunesmith.errors import InputError
from tunesmith.schema import unknown_name


def load_messages(path: str | Path, fmt: str = "auto", options: FormatOptions | None = None) -> tuple[str, list[dict]]:
    """Read `path` in format `fmt` (or detect it): return the format name and rows {"messages": [...]}."""
    name, converted = _convert(path, fmt, options)
    return name, [{"messages": messages} for _, messages in converted]


def load_located(path: str | Path, fmt: str = "auto", options: FormatOptions | None = None) -> tuple[str, list[dict]]:
    """As `load_messages`, each row also keeping "where" (its file:line), for checks made later (its length)."""
    name, converted = _convert(path, fmt, options)
    return name, [{"where": where, "messages": messages} for where, messages in converted]


def to_dataset(rows: list[dict]) -> Dataset:
    """Rows as a Dataset; if any turn has a weight every turn gets one (None = unset), so Arrow sees one schema."""
    turn = {"role": Value("string"), "content": Value("string")}
    if any("weight" in m for row in rows for m in row["messages"]):
        turn["weight"] = Value("int64")
        rows = [{"messages": [{**m, "weight": m.get("weight")} for m in row["messages"]]} for row in rows]
    return Dataset.from_dict({"messages": [row["messages"] for row in rows]}, features=Features({"messages": [turn]}))


def convert_file(
    src: str | Path, dst: str | Path, to: str, fmt: str = "auto", options: FormatOptions | None = None
) -> int:
    """Rewrite `src` as format `to` in `dst` (atomically; nothing written on error); return the count."""
    if to not in WRITABLE:
        raise InputError(str(dst), f"cannot write format {to!r}; expected one of {', '.join(WRITABLE)}")
    file_kind(dst)
    _, converted = _convert(src, fmt, options)
    records = []
    for where, messages in converted:
        try:
            records.append(from_messages(messages, to))
        except ValueError as e:
            raise InputError(where, f"cannot be written as {to}: {e}") from None
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


def _convert(path: str | Path, fmt: str, options: FormatOptions | None) -> tuple[str, list[tuple[str, list]]]:
    """Read, pick the format, and convert every record, keeping each record's location."""
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(str(path), unknown_name("format", fmt, ("auto", *FORMATS)))
    options = options or FormatOptions()
    records = kto_chat_records(str(path), read_records(path), options)  # KTO labels: refused, or desirable only
    name = detect_chat_format(records, options) if fmt == "auto" else fmt
    return name, [(where, to_messages(record, where, name, options)) for where, record in records]
