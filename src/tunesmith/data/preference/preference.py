"""TRL's preference shape: {"prompt", "chosen", "rejected"} as strings or message lists (or an implicit prompt)."""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions
from tunesmith.data.preference import check_turns, field_value, pair, reply, user_prompt
from tunesmith.errors import InputError

NAME = "preference"
KEYS = ("prompt", "chosen", "rejected")
REPLY = "the {} reply (a string, or a list of messages ending with the assistant's)"


def matches(record: dict) -> bool:
    """Whether the record has a `chosen` or `rejected` field (and is not ShareGPT-style)."""
    return ("chosen" in record or "rejected" in record) and "conversations" not in record


def to_row(record: dict, where: str, options: FormatOptions) -> dict:
    """The prompt and both replies as messages; without a prompt, the replies' shared turns are the prompt."""
    labels = (options.column("chosen"), options.column("rejected"))
    chosen = field_value(record, "chosen", where, options, REPLY.format("preferred"))
    rejected = field_value(record, "rejected", where, options, REPLY.format("dispreferred"))
    prompt_column = options.column("prompt")
    if record.get(prompt_column) is None:
        return _implicit_prompt(chosen, rejected, where, labels, prompt_column)
    prompt = user_prompt(record[prompt_column], prompt_column, where)
    return pair(prompt, reply(chosen, labels[0], where), reply(rejected, labels[1], where), where, labels)


def _implicit_prompt(chosen: object, rejected: object, where: str, labels: tuple[str, str], prompt: str) -> dict:
    """TRL's implicit-prompt form: two whole conversations that differ only in their last (assistant) turn."""
    shared = f"'{labels[0]}' and '{labels[1]}' as message lists that share every turn but the last"
    if not isinstance(chosen, list) or not isinstance(rejected, list):
        raise InputError(where, f"field '{prompt}' is missing; expected the prompt (or {shared})")
    chosen_turns, rejected_turns = check_turns(chosen, labels[0], where), check_turns(rejected, labels[1], where)
    if len(chosen_turns) < 2 or chosen_turns[:-1] != rejected_turns[:-1]:
        raise InputError(where, f"field '{prompt}' is missing and the replies do not share a prompt; expected {shared}")
    context = user_prompt(chosen_turns[:-1], labels[0], where)
    return pair(
        context, reply(chosen_turns[-1:], labels[0], where), reply(rejected_turns[-1:], labels[1], where), where, labels
    )
