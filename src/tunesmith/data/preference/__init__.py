"""Preference data: read pairs (and unpaired thumbs-up/down) in the common shapes into TRL's standard columns.

Every reader returns conversational rows: `prompt` is a list of messages, `chosen`/`rejected` (paired) or
`completion` plus a boolean `label` (unpaired, for KTO) are lists of assistant messages; `unpair` splits pairs into
unpaired rows for KTO. Each shape is one module in
this package, found by its name in PAIRED or UNPAIRED; a module defines NAME, KEYS, `matches(record)` and
`to_row(record, where, options)`, which returns a row or, for a record that yields no pair, the reason it is skipped.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from datasets import Dataset, Features, Value

from tunesmith.data.formats import DETECT_SAMPLE, ROLES, FormatOptions, check_str, standard_keys, type_name
from tunesmith.data.io import read_records
from tunesmith.errors import InputError
from tunesmith.schema import unknown_name

PAIRED = ("openai_dpo", "preference", "sharegpt_preference", "ultrafeedback")
UNPAIRED = ("kto",)
PREFERENCE_FORMATS = (*UNPAIRED, *PAIRED)  # detection order: the most specific keys first
TURN = {"role": Value("string"), "content": Value("string")}


@dataclass
class PreferenceData:
    """A file's preference rows, its format, and how many records yielded no row (by reason)."""

    format: str
    rows: list[dict]
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def paired(self) -> bool:
        return self.format in PAIRED

    def counts(self) -> dict[str, int]:
        """What the file holds: pairs (and skipped records by reason), or desirable / undesirable examples."""
        if self.paired:
            return {"pairs": len(self.rows), **{f"skipped ({why})": n for why, n in self.skipped.items()}}
        good = sum(1 for row in self.rows if row["label"])
        return {"desirable": good, "undesirable": len(self.rows) - good}

    def chat_rows(self) -> list[dict]:
        """Each row as one conversation (prompt + chosen, or prompt + completion), to measure like chat data; the
        prompt's assistant turns carry weight 0, since preference training learns only from the reply."""
        reply = "chosen" if self.paired else "completion"
        shown = [[{**m, "weight": 0} if m["role"] == "assistant" else m for m in row["prompt"]] for row in self.rows]
        return [{"messages": prompt + row[reply]} for prompt, row in zip(shown, self.rows)]


def preference_module(name: str) -> ModuleType:
    """The module that reads preference shape `name` (one of PREFERENCE_FORMATS)."""
    if name not in PREFERENCE_FORMATS:
        raise ValueError(unknown_name("preference format", name, PREFERENCE_FORMATS))
    return importlib.import_module(f"{__name__}.{name}")


def looks_like_preference(record: dict) -> str | None:
    """The preference shape a single record has (a KTO record only with a true/false label), or None."""
    for name in PREFERENCE_FORMATS:
        if preference_module(name).matches(record) and (name != "kto" or is_kto_label(record.get("label"))):
            return name
    return None


def is_kto_label(value: object) -> bool:
    """Whether `value` reads as a KTO label: a JSON boolean, or the text true/false (as CSV stores it)."""
    return preference_module("kto").is_label(value)


def kto_chat_records(path: str, records: list[tuple[str, dict]], options: FormatOptions) -> list[tuple[str, dict]]:
    """Records to read as chat data, by `options.kto_labels`: KTO-labelled ones refused, or only the desirable
    kept (see kto.chat_records)."""
    return preference_module("kto").chat_records(path, records, options)


def detect_preference_format(records: list[tuple[str, dict]], options: FormatOptions | None = None) -> str:
    """The first shape (in PREFERENCE_FORMATS order) whose keys every one of the first records has."""
    sample = [(where, standard_keys(record, options or FormatOptions())) for where, record in records[:DETECT_SAMPLE]]
    for name in PREFERENCE_FORMATS:
        if all(preference_module(name).matches(record) for _, record in sample):
            return name
    first_where, first = sample[0]
    name = next((name for name in PREFERENCE_FORMATS if preference_module(name).matches(first)), None)
    if name is None:
        known = "; ".join(f"{n} ({', '.join(preference_module(n).KEYS)})" for n in PREFERENCE_FORMATS)
        raise InputError(
            first_where,
            f"cannot tell the preference format from keys {sorted(first)}; expected the keys of one of: {known}",
        )
    where, record = next((w, r) for w, r in sample if not preference_module(name).matches(r))
    keys = ", ".join(preference_module(name).KEYS)
    raise InputError(where, f"has keys {sorted(record)}; expected the keys of {name} ({keys}), as {first_where} has")


def load_preference(path: str | Path, fmt: str = "auto", options: FormatOptions | None = None) -> PreferenceData:
    """Read `path` in shape `fmt` (or detect it) into TRL's conversational preference rows."""
    if fmt != "auto" and fmt not in PREFERENCE_FORMATS:
        raise InputError(
            str(path), f"format {fmt!r} is not preference data; expected auto or one of {', '.join(PREFERENCE_FORMATS)}"
        )
    return _convert(path, read_records(path), fmt, options or FormatOptions())


def preference_file(path: str | Path, fmt: str = "auto", options: FormatOptions | None = None) -> PreferenceData | None:
    """The file's preference data when it holds some (by `fmt`, or by the first record's keys), else None."""
    if fmt in PREFERENCE_FORMATS:
        return load_preference(path, fmt, options)
    if fmt != "auto":
        return None
    options = options or FormatOptions()
    records = read_records(path)
    if looks_like_preference(standard_keys(records[0][1], options)) is None:
        return None
    return _convert(path, records, "auto", options)


def _convert(path: str | Path, records: list[tuple[str, dict]], fmt: str, options: FormatOptions) -> PreferenceData:
    """Every record as a row, or counted as skipped (with why); a file that yields no row is an error."""
    name = detect_preference_format(records, options) if fmt == "auto" else fmt
    module = preference_module(name)
    data = PreferenceData(name, [])
    for where, record in records:
        row = module.to_row(record, where, options)
        if isinstance(row, str):
            data.skipped[row] = data.skipped.get(row, 0) + 1
        else:
            data.rows.append(row)
    if not data.rows:
        raise InputError(str(path), f"no preference pairs ({_reasons(data.skipped)}); expected at least one")
    return data


def to_preference_dataset(rows: list[dict]) -> Dataset:
    """Preference rows as a Dataset with one schema (paired: prompt/chosen/rejected; unpaired: +label)."""
    if rows and "label" in rows[0]:
        features = Features({"prompt": [TURN], "completion": [TURN], "label": Value("bool")})
    else:
        features = Features({"prompt": [TURN], "chosen": [TURN], "rejected": [TURN]})
    return Dataset.from_list([{key: row[key] for key in features} for row in rows], features=features)


def unpair(rows: list[dict]) -> list[dict]:
    """Pairs as KTO's unpaired rows, as TRL's `unpair_preference_dataset` splits them: each pair's chosen reply
    labelled true and its rejected reply false, under the same prompt (rows already unpaired stay as they are)."""
    out = []
    for row in rows:
        if "label" in row:
            out.append(row)
        else:
            out.append({"prompt": row["prompt"], "completion": row["chosen"], "label": True})
            out.append({"prompt": row["prompt"], "completion": row["rejected"], "label": False})
    return out


# Helpers shared by the shape modules.


def user_prompt(value: object, label: str, where: str) -> list[dict]:
    """A prompt as messages: a string becomes one user turn; a list is checked turn by turn."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    turns = check_turns(value, label, where)
    if not turns or turns[-1]["role"] == "assistant":
        raise InputError(where, f"field '{label}' must end with a user turn; expected the conversation so far")
    return turns


def reply(value: object, label: str, where: str) -> list[dict]:
    """A reply as messages: a string becomes one assistant turn; a list must end with an assistant turn."""
    if isinstance(value, str):
        turns = [{"role": "assistant", "content": value}]
    else:
        turns = check_turns(value, label, where)
        if not turns or turns[-1]["role"] != "assistant":
            raise InputError(where, f"field '{label}' must end with an assistant turn; expected the model's reply")
    if not turns[-1]["content"].strip():
        raise InputError(where, f"field '{label}' is empty; expected the model's reply")
    return turns


def check_turns(value: object, label: str, where: str) -> list[dict]:
    """A list of {"role", "content"} turns with known roles, as plain dicts."""
    if not isinstance(value, list):
        raise InputError(where, f"field '{label}' must be a string or a list of messages, got {type_name(value)}")
    turns = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise InputError(
                where, f"field '{label}[{i}]' must be an object with role and content, got {type_name(item)}"
            )
        if item.get("role") not in ROLES:
            raise InputError(
                where, f"field '{label}[{i}].role' must be one of {', '.join(ROLES)}, got {item.get('role')!r}"
            )
        turns.append({"role": item["role"], "content": check_str(item.get("content"), f"{label}[{i}].content", where)})
    return turns


def pair(prompt: list[dict], chosen: list[dict], rejected: list[dict], where: str, labels: tuple[str, str]) -> dict:
    """One preference row; identical chosen and rejected replies are an error (they teach nothing)."""
    if [t["content"].strip() for t in chosen] == [t["content"].strip() for t in rejected]:
        raise InputError(where, f"fields '{labels[0]}' and '{labels[1]}' are identical; expected two different replies")
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


def field_value(record: dict, name: str, where: str, options: FormatOptions, expected: str) -> object:
    """The value of standard field `name` (read from the user's column); missing is an error saying what it holds."""
    column = options.column(name)
    if record.get(column) is None:
        raise InputError(where, f"field '{column}' is missing; expected {expected}")
    return record[column]


def _reasons(skipped: dict[str, int]) -> str:
    return ", ".join(f"{n} skipped: {why}" for why, n in skipped.items()) or "the file has no records"
