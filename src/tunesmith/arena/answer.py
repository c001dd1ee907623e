"""Answering with measurement: each reply with its prompt and completion tokens, the throughput, and latency.

A local model answers the whole set in batches (its throughput, which prices it) and then `latency_requests`
of them one at a time (its latency: what one user waits). An endpoint is asked one request per call, a few in
flight at once; each call's wall time is its latency and the server's `usage` gives its tokens.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress


@dataclass
class Answers:
    """What one arm said, and what saying it took."""

    replies: list[str]
    prompt_tokens: list[int | None]
    completion_tokens: list[int | None]
    seconds: float  # wall time for the whole set (batched locally; concurrent for an endpoint)
    latencies: list[float] = field(default_factory=list)  # seconds per request, one request at a time
    where: str = "local"  # "local" (priced per hour) or "endpoint" (priced per token)


def answer_locally(
    model,
    tokenizer,
    conversations: list[list[dict]],
    max_new_tokens: int,
    batch_size: int,
    latency_requests: int = 8,
    progress: Progress = SILENT,
    task: str = "answers",
) -> Answers:
    """Greedy replies in batches (timed), then the first `latency_requests` again one at a time (timed each)."""
    from tunesmith.models.generate import generate, render_prompts

    began = time.perf_counter()
    replies = generate(model, tokenizer, conversations, max_new_tokens, batch_size, progress=progress, task=task)
    seconds = time.perf_counter() - began
    latencies = []
    for conversation in conversations[:latency_requests]:
        began = time.perf_counter()
        generate(model, tokenizer, [conversation], max_new_tokens, batch_size=1)
        latencies.append(time.perf_counter() - began)
    rendered = render_prompts(tokenizer, conversations)
    prompt_tokens = [len(ids) for ids in tokenizer(rendered, add_special_tokens=False)["input_ids"]]
    completion_tokens = [len(ids) for ids in tokenizer(replies, add_special_tokens=False)["input_ids"]]
    return Answers(replies, prompt_tokens, completion_tokens, seconds, latencies, "local")


def answer_by_endpoint(
    client, model: str, conversations: list[list[dict]], max_tokens: int, concurrency: int, name: str
) -> Answers:
    """Each conversation sent to an OpenAI-compatible endpoint (greedy), timed per request."""
    import openai

    def one(messages: list[dict]) -> tuple[str, int | None, int | None, float]:
        began = time.perf_counter()
        try:
            reply = client.chat.completions.create(
                model=model, messages=messages, temperature=0.0, max_tokens=max_tokens
            )
        except openai.APIStatusError as exc:
            raise InputError(name, f"request failed: {exc.message}") from None
        except openai.APIError as exc:  # connection errors and timeouts, after the client's retries
            raise InputError(name, f"request failed ({exc}); expected a reachable endpoint") from None
        took = time.perf_counter() - began
        text = (reply.choices[0].message.content or "") if reply.choices else ""
        usage = reply.usage
        return (
            text.strip(),
            usage.prompt_tokens if usage else None,
            usage.completion_tokens if usage else None,
            took,
        )

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        rows = list(pool.map(one, conversations))
    seconds = time.perf_counter() - began
    return Answers(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], seconds, [r[3] for r in rows], "endpoint"
    )


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[min(98, max(0, round(q) - 1))]
