"""Fine-tuning files checked the way OpenAI checks them, so a bad file is refused with its line and field.

At upload (`check_jsonl`): UTF-8 text with one JSON object per line. At job creation (`check_training_file`): the
method's format, through the same readers training uses:
- supervised: `messages` with known roles and text content, at least one assistant reply that is trained on
  (`weight` 0 or 1, on assistant turns only);
- dpo: `input.messages` ending with a user turn, `preferred_output` and `non_preferred_output` each one
  assistant message, different from each other;
- reinforcement: `messages` ending with the user's (or system/developer) turn; the other keys are the fields
  graders read (`{{ item.<field> }}`).
At least 10 examples (OpenAI's minimum). Supervised examples may carry `tools` and assistant `tool_calls`
(trained as models/tool_calls.py renders them); in DPO and reinforcement files they are refused, not dropped.
Examples longer than the training length are counted (they will be truncated).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateError

from tunesmith.data.formats import FormatOptions, record_tools
from tunesmith.data.formats.openai import to_messages
from tunesmith.data.preference import openai_dpo
from tunesmith.errors import InputError
from tunesmith.models.tool_calls import as_text

METHODS = ("supervised", "dpo", "reinforcement")
MIN_EXAMPLES = 10
KEYS = {
    "supervised": ("messages", "tools", "functions", "parallel_tool_calls"),
    "dpo": ("input", "preferred_output", "non_preferred_output"),
}
INPUT_KEYS = ("messages", "tools", "parallel_tool_calls")
PROMPT_ROLES = ("user", "system")  # "developer" turns read as "system"
_JSON_KINDS = {list: "array", str: "string", bool: "boolean", type(None): "null"}


@dataclass(frozen=True)
class FileStats:
    """A checked file: examples, tokens in all of them (as training renders them), the longest, how many too long."""

    examples: int
    tokens: int
    longest: int
    too_long: int


def check_jsonl(data: bytes, filename: str) -> int:
    """The number of examples in an upload; an InputError names the first line that is not a JSON object."""
    count = sum(1 for _ in _objects(data, filename))
    if not count:
        raise InputError(filename, "has no examples; expected one JSON object per line")
    return count


def check_training_file(path: Path, method: str, tokenizer, max_tokens: int, where: str) -> FileStats:
    """Check every example of `path` for `method`; an InputError names `where`, the line, the field, the fix."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    examples = [(line, _sequences(record, method, line)) for line, record in _objects(Path(path).read_bytes(), where)]
    if len(examples) < MIN_EXAMPLES:
        expected = f"expected at least {MIN_EXAMPLES}, the fewest OpenAI's fine-tuning takes"
        raise InputError(where, f"has {len(examples)} examples; {expected}")
    prompt_only = method == "reinforcement"
    lengths = [[_tokens(tokenizer, turns, prompt_only, line) for turns in sequences] for line, sequences in examples]
    longest = [max(sizes) for sizes in lengths]
    too_long = sum(1 for n in longest if n > max_tokens)
    return FileStats(len(lengths), sum(sum(sizes) for sizes in lengths), max(longest), too_long)


def _objects(data: bytes, name: str) -> Iterator[tuple[str, dict]]:
    """(`name: line N`, object) for every non-blank line; only "\\n" ends a line, as in JSON lines."""
    for number, raw in enumerate(data.split(b"\n"), 1):
        where = f"{name}: line {number}"
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(where, f"is not UTF-8 text (byte {exc.start + 1}); expected a UTF-8 JSONL file") from None
        if line.strip():
            yield where, _parse_line(line, where)


def _parse_line(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            where, f"is not valid JSON ({exc.msg} at column {exc.colno}); expected one JSON object"
        ) from None
    if not isinstance(record, dict):
        raise InputError(where, f"is a JSON {_JSON_KINDS.get(type(record), 'number')}; expected an object")
    return record


def _sequences(record: dict, method: str, where: str) -> list[list[dict]]:
    """The conversations training renders from the example (dpo: prompt + each reply; reinforcement: the prompt)."""
    if method == "supervised":
        if "messages" not in record and "preferred_output" in record:
            raise InputError(where, "has 'preferred_output', a DPO example; expected 'messages' (or method dpo)")
        messages = to_messages(record, where, FormatOptions())
        _known_keys(record, KEYS["supervised"], "", where, "a supervised example holds 'messages' (and 'tools')")
        tools = record_tools(record, where, FormatOptions())
        return [_plain(as_text(messages, tools))]  # measured as training renders it without a tools template
    _refuse_tools(record, where)
    if method == "dpo":
        if "messages" in record:
            expected = "expected OpenAI's DPO format: input.messages, preferred_output, non_preferred_output"
            raise InputError(where, f"has 'messages', a supervised example; {expected}")
        _known_keys(record, KEYS["dpo"], "", where, "a DPO example holds input, preferred_output, non_preferred_output")
        if isinstance(record.get("input"), dict):
            _known_keys(record["input"], INPUT_KEYS, "input.", where, "'input' holds 'messages' (and 'tools')")
        row = openai_dpo.to_row(record, where, FormatOptions())
        return [row["prompt"] + row["chosen"], row["prompt"] + row["rejected"]]
    turns = _plain(to_messages(record, where, FormatOptions(require_reply=False)))
    if not turns or turns[-1]["role"] not in PROMPT_ROLES:
        last = f"a '{turns[-1]['role']}' turn" if turns else "no turn"
        expected = "expected the prompt only, ending with a user turn (graders score the model's own answer)"
        raise InputError(where, f"field 'messages' ends with {last}; {expected}")
    return [turns]


def _known_keys(record: dict, keys: tuple[str, ...], prefix: str, where: str, expected: str) -> None:
    """An unknown field is refused by name rather than silently not trained on."""
    extra = sorted(set(record) - set(keys))
    if extra:
        raise InputError(where, f"field '{prefix}{extra[0]}' is not part of OpenAI's format; {expected}")


def _refuse_tools(record: dict, where: str) -> None:
    """Tool definitions and calls are refused by name for DPO and reinforcement (supervised files may hold them):
    those stages do not train on them yet, and nothing is dropped."""
    given = record.get("input") if isinstance(record.get("input"), dict) else {}
    for prefix, holder in (("", record), ("input.", given)):
        for key in ("tools", "functions"):
            if holder.get(key):
                expected = "training with tool definitions is not supported yet; expected none (remove the field)"
                raise InputError(where, f"field '{prefix}{key}': {expected}")
    lists = {
        "messages": record.get("messages"),
        "input.messages": given.get("messages"),
        "preferred_output": record.get("preferred_output"),
        "non_preferred_output": record.get("non_preferred_output"),
    }
    for label, turns in lists.items():
        for i, turn in enumerate(turns if isinstance(turns, list) else []):
            key = next((k for k in ("tool_calls", "function_call") if isinstance(turn, dict) and turn.get(k)), None)
            if key:
                expected = "tool calls are not supported for training yet; expected text replies only"
                raise InputError(where, f"field '{label}[{i}].{key}': {expected}")


def _plain(messages: list[dict]) -> list[dict]:
    return [{"role": m["role"], "content": m["content"]} for m in messages]  # weights off: every token is counted


def _tokens(tokenizer, turns: list[dict], prompt_only: bool, where: str) -> int:
    """Tokens of the conversation through the model's chat template, as training renders it (a prompt with the
    generation prompt after it); a model without a template counts the text itself."""
    if not tokenizer.chat_template:
        return len(tokenizer("\n".join(t["content"] for t in turns), add_special_tokens=False)["input_ids"])
    try:
        encoded = tokenizer.apply_chat_template(
            turns, tokenize=True, return_dict=True, add_generation_prompt=prompt_only
        )
    except TemplateError as exc:
        raise InputError(
            where, f"the model's chat template refuses this conversation ({exc}); expected turns it takes"
        ) from None
    return len(encoded["input_ids"])
