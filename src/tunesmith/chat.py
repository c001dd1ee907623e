"""Chat and file-to-file generation on any model reference or run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.data.formats import ROLES
from tunesmith.data.formats.openai import ROLE_ALIASES
from tunesmith.data.io import read_records
from tunesmith.errors import InputError
from tunesmith.models.generate import generate, sampling_kwargs
from tunesmith.models.loading import load_for_inference, source_for
from tunesmith.progress import SILENT, Progress


def stream_reply(
    model, tokenizer, history: list[dict], max_new_tokens: int = 256, temperature: float = 0.0
) -> Iterator[str]:
    """Yield the reply to `history` piece by piece as it is generated."""
    from threading import Thread

    from transformers import TextIteratorStreamer

    enc = tokenizer.apply_chat_template(history, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    kwargs = dict(
        **enc.to(model.device),
        max_new_tokens=max_new_tokens,
        streamer=streamer,
        **sampling_kwargs(temperature),
    )
    thread = Thread(target=model.generate, kwargs=kwargs, daemon=True)
    thread.start()
    yield from streamer
    thread.join()


def prompts_from_file(path: Path) -> list[list[dict]]:
    """Conversations to answer: `{"prompt": str}`, `{"messages": [...]}` (a trailing assistant turn is dropped)."""
    conversations = []
    for where, record in read_records(path):
        if isinstance(record.get("prompt"), str):
            conversations.append([{"role": "user", "content": record["prompt"]}])
        elif isinstance(record.get("messages"), list) and record["messages"]:
            conversations.append(_turns_to_answer(record["messages"], where))
        else:
            raise InputError(where, "expected a 'prompt' string or a 'messages' list")
    return conversations


def _turns_to_answer(messages: list, where: str) -> list[dict]:
    """Checked {"role", "content"} turns, without a trailing assistant turn; bad turns are InputErrors."""
    turns = []
    for i, m in enumerate(messages):
        role = m.get("role") if isinstance(m, dict) else None
        role = ROLE_ALIASES.get(role, role) if isinstance(role, str) else None
        if role not in ROLES or not isinstance(m.get("content"), str):
            expected = f"expected an object with a role ({', '.join(ROLES)}) and a content string"
            raise InputError(where, f"field 'messages[{i}]' is not a chat turn; {expected}")
        turns.append({"role": role, "content": m["content"]})
    if turns[-1]["role"] == "assistant":
        turns = turns[:-1]
    if not turns:
        raise InputError(where, "field 'messages' has only an assistant turn; expected a turn to reply to")
    return turns


def generate_file(
    ref: str,
    input_path: Path,
    output_path: Path,
    batch_size: int = 16,
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    progress: Progress = SILENT,
) -> int:
    """Answer every prompt in `input_path`, writing JSONL `{"messages", "reply"}` rows atomically."""
    conversations = prompts_from_file(input_path)
    model, tokenizer = load_for_inference(source_for(ref, progress))
    replies = generate(model, tokenizer, conversations, max_new_tokens, batch_size, temperature, progress=progress)
    rows = [json.dumps({"messages": c, "reply": r}, ensure_ascii=False) for c, r in zip(conversations, replies)]
    write_text(output_path, "\n".join(rows) + "\n")
    return len(rows)
