"""Batched generation from chat conversations (left-padded, longest first, greedy unless told otherwise)."""

from __future__ import annotations

from collections.abc import Callable

from tunesmith.progress import SILENT, Progress


def render_prompts(
    tokenizer, conversations: list[list[dict]], tools: list[list[dict] | None] | None = None
) -> list[str]:
    """Each conversation rendered with the chat template, ending where the assistant's reply begins; with its
    `tools` (one list or None per conversation) shown natively or in the fallback format (models/tool_calls.py)."""
    from tunesmith.models.tool_calls import for_template

    prompts = []
    for conversation, listed in zip(conversations, tools or [None] * len(conversations)):
        messages, shown = for_template(conversation, listed, tokenizer.chat_template)
        prompts.append(tokenizer.apply_chat_template(messages, tools=shown, add_generation_prompt=True, tokenize=False))
    return prompts


def sampling_kwargs(temperature: float, top_p: float = 1.0) -> dict:
    """`generate` keyword arguments: greedy at temperature 0, else sampling with temperature and top-p."""
    if temperature > 0:
        return {"do_sample": True, "temperature": temperature, "top_p": top_p}
    return {"do_sample": False}


def generate(
    model,
    tokenizer,
    conversations: list[list[dict]],
    max_new_tokens: int = 256,
    batch_size: int = 16,
    temperature: float = 0.0,
    top_p: float = 1.0,
    progress: Progress = SILENT,
    tools: list[list[dict] | None] | None = None,
    task: str = "generate",
    on_batch: Callable[[dict[int, str]], None] | None = None,
) -> list[str]:
    """The assistant's reply to each conversation (offered its `tools`, when given), in input order; `task` names
    the progress bar (e.g. which model answers which set). `on_batch` receives each batch's replies by input index
    as soon as they exist (a caller that caches them loses at most one batch to a crash)."""
    import torch

    from tunesmith.models.prefix import generation_inputs

    prompts = render_prompts(tokenizer, conversations, tools)
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    replies: list[str] = [""] * len(prompts)
    tokenizer.padding_side = "left"
    sampling = sampling_kwargs(temperature, top_p)
    progress.start(task, len(prompts))
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        enc = tokenizer([prompts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=False)
        enc = enc.to(model.device)
        runner, inputs = generation_inputs(model, dict(enc))  # a prefix adapter's prefix goes in as the cache
        with torch.inference_mode():
            out = runner.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                pad_token_id=tokenizer.pad_token_id,
                **sampling,
            )
        new_tokens = out[:, enc["input_ids"].shape[1] :]
        for i, text in zip(batch, tokenizer.batch_decode(new_tokens, skip_special_tokens=True)):
            replies[i] = text.strip()
        if on_batch is not None:
            on_batch({i: replies[i] for i in batch})
        progress.update(task, min(start + batch_size, len(order)))
    progress.finish(task)
    return replies
