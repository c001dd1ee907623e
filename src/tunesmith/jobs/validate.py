"""Fine-tuning files checked the way OpenAI checks them, so a bad file is refused with its line and field.

At upload (`check_jsonl`): UTF-8 text with one JSON object per line. At job creation (`check_training_file`): the
method's format, through the same readers training uses:
- supervised: `messages` with known roles and text content, at least one assistant reply that is trained on
  (`weight` 0 or 1, on assistant turns only);
- dpo: `input.messages` ending with a user turn, `preferred_output` and `non_preferred_output` each one
  assistant message, different from each other;
- reinforcement: `messages` ending with the user's (or system/developer) turn; the other keys are the fields
  graders read (`{{ item.<field> }}`).
At least 10 examples (OpenAI's minimum). Tool definitions and tool calls are refused, not dropped: tunesmith
does not train on them yet. Examples longer than the training length are counted (they will be truncated).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tunesmith.data.formats import FormatOptions
from tunesmith.data.formats.openai import to_messages
from tunesmith.data.preference import openai_dpo
from tunesmith.errors import InputError

MIN_EXAMPLES = 10
SUPERVISED_KEYS = ("messages",)
PROMPT_ROLES = ("user", "system", "developer")


@dataclass(frozen=True)
class FileStats:
    """A checked file: examples, tokens in all of them (as training renders them), the longest, how many too long."""

    examples: int
    tokens: int
    longest: int
    too_long: int


def check_jsonl(data: bytes, filename: str) -> int:
    """The number of examples in an upload; an InputError names the first line that is not a JSON object."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{filename}: line {line}", "is not UTF-8 text; expected a UTF-8 JSONL file") from None
    count = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        _parse_line(line, f"{filename}: line {number}")
        count += 1
    if not count:
        raise InputError(filename, "has no examples; expected one JSON object per line")
    return count


def check_training_file(path: Path, method: str, tokenizer, max_tokens: int, where: str) -> FileStats:
    """Check every example of `path` for `method`; an InputError names `where`, the line, the field, the fix."""
    conversations = [
        _conversation(_parse_line(line, f"{where}: line {n}"), method, f"{where}: line {n}")
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1)
        if line.strip()
    ]
    if len(conversations) < MIN_EXAMPLES:
        message = f"has {len(conversations)} examples; fine-tuning needs at least {MIN_EXAMPLES}"
        raise InputError(where, message)
    lengths = [_tokens(tokenizer, turns) for turns in conversations]
    too_long = sum(1 for n in lengths if n > max_tokens)
    return FileStats(len(lengths), sum(lengths), max(lengths), too_long)


def _parse_line(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            where, f"is not valid JSON ({exc.msg} at column {exc.colno}); expected one JSON object"
        ) from None
    if not isinstance(record, dict):
        kind = {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(record), "number")
        raise InputError(where, f"is a JSON {kind}; expected an object")
    return record


def _conversation(record: dict, method: str, where: str) -> list[dict]:
    """The example's turns as training will see them (for dpo: the prompt and the preferred reply)."""
    _refuse_tools(record, where)
    if method == "supervised":
        extra = sorted(set(record) - set(SUPERVISED_KEYS))
        if extra:
            expected = "expected only 'messages' in a supervised example"
            raise InputError(where, f"field '{extra[0]}' is not part of OpenAI's chat format; {expected}")
        return to_messages(record, where, FormatOptions())
    if method == "dpo":
        if "messages" in record:
            expected = "expected OpenAI's DPO format: input.messages, preferred_output, non_preferred_output"
            raise InputError(where, f"has 'messages', a supervised example; {expected}")
        row = openai_dpo.to_row(record, where, FormatOptions())
        return row["prompt"] + row["chosen"]
    if method == "reinforcement":
        turns = to_messages(record, where, FormatOptions(require_reply=False))
        if not turns or turns[-1]["role"] not in PROMPT_ROLES:
            last = turns[-1]["role"] if turns else "nothing"
            raise InputError(where, f"field 'messages' ends with {last}; expected the prompt, ending with a user turn")
        return turns
    raise ValueError(f"unknown method {method!r}")


def _refuse_tools(record: dict, where: str) -> None:
    """Tool definitions and calls are refused by name: tunesmith does not train on them yet, and never drops them."""
    if "tools" in record or "functions" in record:
        key = "tools" if "tools" in record else "functions"
        raise InputError(where, f"field '{key}': training with tool definitions is not supported yet; remove them")
    for source in (
        record.get("messages"),
        (record.get("input") or {}).get("messages") if isinstance(record.get("input"), dict) else None,
    ):
        for i, turn in enumerate(source or []):
            if isinstance(turn, dict) and ("tool_calls" in turn or "function_call" in turn):
                key = "tool_calls" if "tool_calls" in turn else "function_call"
                raise InputError(where, f"field 'messages[{i}].{key}': tool calls are not supported for training yet")


def _tokens(tokenizer, turns: list[dict]) -> int:
    """Tokens of the conversation through the model's chat template (as training renders it)."""
    plain = [{"role": t["role"], "content": t["content"]} for t in turns]
    try:
        text = tokenizer.apply_chat_template(plain, tokenize=False)
    except Exception:  # noqa: BLE001 - a template without a place for some role: count the text itself
        text = "\n".join(t["content"] for t in plain)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])
