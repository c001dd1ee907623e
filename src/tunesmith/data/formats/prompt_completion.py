"""Prompt/completion format: {"prompt": str, "completion": str}, with optional separator and stop markers."""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions, finish, get_str, message

NAME = "prompt_completion"
KEYS = ("prompt", "completion")
FIELDS = ("prompt", "completion")  # every record key this format reads


def matches(record: dict) -> bool:
    """Whether the record has `prompt` and `completion` fields."""
    return "prompt" in record and "completion" in record


def to_messages(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """One user and one assistant turn; the separator ending a prompt and the stop ending a completion go."""
    prompt = get_str(record, "prompt", where, options)
    completion = get_str(record, "completion", where, options)
    if options.separator:
        prompt = prompt.removesuffix(options.separator)
    if options.stop:
        completion = completion.removesuffix(options.stop)
    messages = [message("user", prompt), message("assistant", completion)]
    return finish(messages, where, f"a non-empty '{options.column('completion')}'", options)
