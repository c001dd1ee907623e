"""Chat-data formats: detect a file's format and convert records to and from canonical messages.

Canonical messages are a list of {"role": "system"|"user"|"assistant"|"tool", "content": str}; assistant
turns may carry "weight": 0 or 1 (0 = do not train on that turn) and "tool_calls", tool turns a
"tool_call_id" and "name" (models/tool_calls.py has the shapes). Each format is one module in this package,
found by its name in FORMATS; it lists in FIELDS every record key it reads, so every other key can be kept
(in `meta`) or refused, never silently dropped.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from types import ModuleType

from tunesmith.errors import InputError
from tunesmith.models.tool_calls import ToolFormatError, normalize_tools
from tunesmith.schema import unknown_name

FORMATS = ("openai", "sharegpt", "alpaca", "dolly", "prompt_completion")
WRITABLE = ("openai", "alpaca", "sharegpt")
ROLES = ("system", "user", "assistant", "tool")
DETECT_SAMPLE = 10
# Record keys that change what is trained, so never kept aside as provenance: a per-record weight has no place
# in the canonical form. (`label`, KTO's thumbs up or down, is refused for chat data by data/loading.py.)
REFUSED = {
    "weight": "a per-record weight is not supported; drop the rows you do not want or mark turns with weight 0",
    "sample_weight": "a per-record weight is not supported; drop the rows you do not want",
}


@dataclass(frozen=True)
class FormatOptions:
    """How to read a source: user column names for standard fields, and prompt/completion markers to strip."""

    columns: dict[str, str] = field(default_factory=dict)
    separator: str | None = None
    stop: str | None = None
    require_reply: bool = True
    kto_labels: str = "refuse"  # chat reading of records with a KTO `label`: refuse, or desirable_only (keep true)

    def column(self, name: str) -> str:
        """The user's column for standard field `name` (the name itself when not remapped)."""
        return self.columns.get(name, name)


def format_module(name: str) -> ModuleType:
    """The module that implements format `name` (one of FORMATS)."""
    if name not in FORMATS:
        raise ValueError(unknown_name("format", name, FORMATS))
    return importlib.import_module(f"{__name__}.{name}")


def detect_format(records: list[tuple[str, dict]], options: FormatOptions | None = None) -> str:
    """The first format (in FORMATS order) whose keys every one of the first records has."""
    options = options or FormatOptions()
    sample = [(where, standard_keys(record, options)) for where, record in records[:DETECT_SAMPLE]]
    for name in FORMATS:
        if all(format_module(name).matches(record) for _, record in sample):
            return name
    found = [(where, record, _first_match(record)) for where, record in sample]
    for where, record, name in found:
        if name is None:
            known = "; ".join(f"{fmt} ({', '.join(format_module(fmt).KEYS)})" for fmt in FORMATS)
            raise InputError(
                where,
                f"cannot tell the data format from keys {sorted(record)}; expected the keys of one of: "
                f"{known} (or map your columns to these names)",
            )
    first_where, _, first_name = found[0]
    where, _, name = next(item for item in found if item[2] != first_name)
    raise InputError(where, f"record looks like {name} but {first_where} looks like {first_name}; expected one format")


def _first_match(record: dict) -> str | None:
    """The first format in FORMATS whose keys `record` has, or None."""
    return next((name for name in FORMATS if format_module(name).matches(record)), None)


def to_messages(record: dict, where: str, fmt: str, options: FormatOptions | None = None) -> list[dict]:
    """Convert one record in format `fmt` to canonical messages; InputError names `where` and the field."""
    return format_module(fmt).to_messages(record, where, options or FormatOptions())


def from_messages(messages: list[dict], fmt: str) -> dict:
    """Canonical messages as one record in `fmt` (one of WRITABLE); ValueError if it cannot hold them."""
    if fmt not in WRITABLE:
        raise ValueError(f"cannot write format {fmt!r}; expected one of {', '.join(WRITABLE)}")
    return format_module(fmt).from_messages(messages)


def standard_keys(record: dict, options: FormatOptions) -> dict:
    """The record with the user's columns renamed to the standard field names, for detection."""
    renamed = dict(record)
    for standard, column in options.columns.items():
        if column in renamed:
            renamed[standard] = renamed.pop(column)
    return renamed


# Field helpers shared by the format modules: they check a type and name the field when it is wrong.


def type_name(value: object) -> str:
    """A short type name for error messages ('int', 'list', 'null')."""
    return "null" if value is None else type(value).__name__


def check_str(value: object, label: str, where: str) -> str:
    """`value` if it is a string, else InputError naming field `label`."""
    if not isinstance(value, str):
        raise InputError(where, f"field '{label}' must be a string, got {type_name(value)}")
    return value


def get_str(record: dict, name: str, where: str, options: FormatOptions, required: bool = True) -> str:
    """The string in standard field `name` (read from the user's column); '' when optional and absent."""
    column = options.column(name)
    value = record.get(column)
    if value is None:
        if required:
            raise InputError(where, f"field '{column}' is missing; expected a string")
        return ""
    return check_str(value, column, where)


def get_list(record: dict, name: str, where: str, options: FormatOptions, required: bool = True) -> list:
    """The list in standard field `name`; JSON text of a list is accepted too (CSV stores lists so)."""
    column = options.column(name)
    value = record.get(column)
    if value is None or (value == "" and not required):
        if required:
            raise InputError(where, f"field '{column}' is missing; expected a list")
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InputError(where, f"field '{column}' must be a list, got text that is not JSON") from None
    if not isinstance(value, list):
        raise InputError(where, f"field '{column}' must be a list, got {type_name(value)}")
    return value


def check_weight(item: dict, role: str, label: str, where: str) -> int | None:
    """The optional 0/1 `weight` of a turn (None when absent); only assistant turns may carry one."""
    weight = item.get("weight")
    if weight is None:
        return None
    if role != "assistant":
        expected = "expected weights on assistant turns only"
        raise InputError(where, f"field '{label}.weight' is set on a {role} turn; {expected}")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight not in (0, 1):
        raise InputError(where, f"field '{label}.weight' must be 0 or 1, got {weight!r}")
    return int(weight)


def message(role: str, content: str, weight: int | None = None, **tool_fields) -> dict:
    """One canonical message; `weight` and the tool fields (tool_calls, tool_call_id, name) only when given."""
    turn = {"role": role, "content": content}
    if weight is not None:
        turn["weight"] = weight
    return {**turn, **{key: value for key, value in tool_fields.items() if value}}


def record_tools(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """The record's function schemas (`tools`, or OpenAI's older `functions`) as OpenAI tools; [] when none."""
    for name in ("tools", "functions"):
        column = options.column(name)
        if record.get(column) not in (None, ""):
            try:
                return normalize_tools(record[column])
            except ToolFormatError as exc:
                raise InputError(where, f"field '{column}' {exc}") from None
    return []


def record_fields(fmt: str, options: FormatOptions) -> set[str]:
    """The record keys format `fmt` reads (under the user's column names)."""
    module = format_module(fmt)
    return {options.column(name) for name in (*module.FIELDS, "tools", "functions")}


def leftover_keys(record: dict, where: str, fmt: str, options: FormatOptions) -> dict:
    """The record's keys `fmt` does not read, to keep in `meta`; a key that changes training is an InputError."""
    fields = record_fields(fmt, options)
    extra = {key: value for key, value in record.items() if key not in fields}
    for key in extra:
        if key in REFUSED:
            raise InputError(where, f"field '{key}': {REFUSED[key]}")
    meta = extra.pop("meta", None)
    return {**(meta if isinstance(meta, dict) else {}), **extra}


def system_turn(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """The record's optional top-level `system` text as the first message; [] when it is absent or blank."""
    system = get_str(record, "system", where, options, required=False)
    return [message("system", system)] if system.strip() else []


def join_text(first: str, second: str) -> str:
    """`first`, then a blank line and `second` when `second` is not blank (instruction + input/context)."""
    return f"{first}\n\n{second}" if second.strip() else first


def finish(messages: list[dict], where: str, expected: str, options: FormatOptions) -> list[dict]:
    """`messages` if some assistant turn has text and is trained on, else InputError saying what is expected.

    Data pipelines read raw data with `require_reply=False`: an empty answer is for the filter op to count.
    """
    replied = any(
        m["role"] == "assistant" and (m["content"].strip() or m.get("tool_calls")) and m.get("weight") != 0
        for m in messages
    )
    if options.require_reply and not replied:
        raise InputError(where, f"record has no assistant reply; expected {expected}")
    return messages
