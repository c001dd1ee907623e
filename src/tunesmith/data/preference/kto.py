"""Unpaired thumbs-up/down data for KTO: a reply and a boolean `label` (true: desirable, false: undesirable).

Three shapes: TRL's {"prompt", "completion", "label"}; LLaMA-Factory's {"messages": [role/content turns], "label"}
(its kto_en_demo.json), where the last assistant turn is the completion and every turn before it the prompt; and
the ShareGPT-style {"conversations": [from/value turns], "label"} read the same way.
"""

from __future__ import annotations

from dataclasses import replace

from tunesmith.data.formats import FormatOptions, format_module, type_name
from tunesmith.data.preference import field_value, reply, user_prompt
from tunesmith.errors import InputError

NAME = "kto"
KEYS = ("prompt", "completion", "label")
KTO_LABELS = ("refuse", "desirable_only")  # what chat reading does with labelled records (chat_records)
CONVERSATIONS = {"messages": "openai", "conversations": "sharegpt"}  # whole-conversation field → its chat format


def chat_records(path: str, records: list[tuple[str, dict]], options: FormatOptions) -> list[tuple[str, dict]]:
    """The records to read as chat data. Any with a KTO label: refused (`options.kto_labels` refuse, the default),
    since chat training would learn its undesirable replies as targets; or, with desirable_only, the records
    labelled false dropped and the label taken off the rest."""
    column = options.column("label")
    labelled = [(where, record) for where, record in records if is_label(record.get(column))]
    if not labelled:
        return records
    if options.kto_labels not in KTO_LABELS:
        raise ValueError(f"kto_labels must be one of {', '.join(KTO_LABELS)}, got {options.kto_labels!r}")
    bad = sum(1 for _, record in labelled if not _boolean(record[column], column, ""))
    if options.kto_labels == "refuse":
        raise InputError(
            labelled[0][0],
            f"holds KTO data: field '{column}' marks each reply desirable or not ({bad:,} of {len(records):,} records "
            "are labelled false), and chat training would learn every reply as a target; expected chat data here: "
            "train this file with stage: kto, or keep only the desirable replies with data.kto_labels: "
            "desirable_only (tunesmith data convert --desirable-only)",
        )
    kept = [
        (where, {key: value for key, value in record.items() if key != column})
        for where, record in records
        if not is_label(record.get(column)) or _boolean(record[column], column, where)
    ]
    if not kept:
        raise InputError(str(path), f"every record has '{column}' false; expected at least one desirable reply")
    return kept


def matches(record: dict) -> bool:
    """Whether the record has a `label` field beside a `completion`, `messages` or `conversations` field."""
    return "label" in record and any(key in record for key in ("completion", *CONVERSATIONS))


def is_label(value: object) -> bool:
    """Whether `value` reads as a KTO label: a JSON boolean, or the text true/false (as CSV stores it)."""
    return isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("true", "false"))


def to_row(record: dict, where: str, options: FormatOptions) -> dict:
    """The prompt and completion as messages, and whether the completion is desirable."""
    label_column = options.column("label")
    label = _boolean(field_value(record, "label", where, options, "true or false"), label_column, where)
    conversation = next((key for key in CONVERSATIONS if options.column(key) in record), None)
    if conversation is not None and options.column("completion") not in record:
        prompt, completion = _split_conversation(record, conversation, where, options)
        return {"prompt": prompt, "completion": completion, "label": label}
    columns = {name: options.column(name) for name in ("prompt", "completion")}
    prompt = user_prompt(field_value(record, "prompt", where, options, "the prompt"), columns["prompt"], where)
    completion = reply(field_value(record, "completion", where, options, "the reply"), columns["completion"], where)
    return {"prompt": prompt, "completion": completion, "label": label}


def _split_conversation(record: dict, key: str, where: str, options: FormatOptions) -> tuple[list, list]:
    """(prompt, completion) of a whole conversation: its last assistant turn is the reply the label judges."""
    column, label = options.column(key), options.column("label")
    read = replace(options, require_reply=False)
    turns = [
        {"role": m["role"], "content": m["content"]}
        for m in format_module(CONVERSATIONS[key]).to_messages(record, where, read)
    ]
    if not turns or turns[-1]["role"] != "assistant":
        raise InputError(
            where, f"field '{column}' must end with an assistant turn; expected the reply '{label}' judges"
        )
    return user_prompt(turns[:-1], column, where), reply(turns[-1:], column, where)


def _boolean(value: object, column: str, where: str) -> bool:
    """A JSON boolean; the text 'true'/'false' is accepted too (CSV stores every cell as text)."""
    if is_label(value):
        return value if isinstance(value, bool) else value.strip().lower() == "true"
    raise InputError(where, f"field '{column}' must be true or false, got {value!r} ({type_name(value)})")
