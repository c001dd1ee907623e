"""What every backend (transformers, an upstream proxy, vLLM) offers the app: models, generation, adapters."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sampling:
    """Settings that must be equal for requests to share one batch (hashable: it is the batch key)."""

    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    response_format: str | None = None  # the request's `response_format` as JSON, None for plain text
    forced_tools: str | None = None  # a required tool call: the functions it may call, as JSON (serve/tools.py)

    def output_format(self) -> dict | None:
        """The request's `response_format`, parsed (None for plain text)."""
        return json.loads(self.response_format) if self.response_format else None


@dataclass
class GenerationRequest:
    """One request: chat `messages` or a text `prompt`, for `model` (the base's name or an adapter's)."""

    model: str
    max_tokens: int
    n: int = 1
    messages: list[dict] | None = None
    prompt: str | None = None
    sampling: Sampling = field(default_factory=Sampling)
    tools: list[dict] | None = None  # OpenAI tools shown to the model (chat only)
    tool_choice: str | dict | None = None  # as the client sent it (an upstream server gets it as is)


@dataclass(frozen=True)
class Delta:
    """New text for choice `index`."""

    index: int
    text: str


def held_back(text: str, markers: tuple[str, ...]) -> int:
    """How many trailing characters of streamed `text` could be the start of a marker (a stop string, a tool
    call's opening tag): not sent until the next tokens say."""
    longest = 0
    for marker in markers:
        for size in range(min(len(marker) - 1, len(text)), longest, -1):
            if text.endswith(marker[:size]):
                longest = size
                break
    return longest


@dataclass(frozen=True)
class Finish:
    """Choice `index` is complete: `reason` is "stop" or "length"; `tokens` it generated."""

    index: int
    reason: str
    tokens: int


class Generation:
    """The events of one request, produced on any thread and read on the event loop.

    A producer calls `push(event)` and `fail(exc)`; the app iterates it (`async for event in generation`).
    `prompt_tokens` is set by the time the iteration ends.
    """

    def __init__(self, n: int, prompt_tokens: int = 0):
        self.n = n
        self.prompt_tokens = prompt_tokens
        self.cancelled = threading.Event()
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()

    def push(self, event: Delta | Finish) -> None:
        """Deliver an event (thread-safe)."""
        self._call(self._queue.put_nowait, event)

    def fail(self, exc: BaseException) -> None:
        """End the request with an error (thread-safe); the reader raises it."""
        self._call(self._queue.put_nowait, exc)

    def cancel(self) -> None:
        """The client went away: producers stop working on this request."""
        self.cancelled.set()

    def _call(self, fn, arg) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed (server shutting down): nobody listens
            self._loop.call_soon_threadsafe(fn, arg)

    async def __aiter__(self) -> AsyncIterator[Delta | Finish]:
        open_choices = self.n
        while open_choices:
            event = await self._queue.get()
            if isinstance(event, BaseException):
                raise event
            if isinstance(event, Finish):
                open_choices -= 1
            yield event


@dataclass(frozen=True)
class ModelInfo:
    name: str
    parent: str | None = None  # adapters name the base they run on


class Backend(ABC):
    """The app talks to a backend only through these methods."""

    @abstractmethod
    def models(self) -> list[ModelInfo]:
        """The servable models: the base first, then its adapters."""

    @abstractmethod
    def submit(self, request: GenerationRequest) -> Generation:
        """Check and queue a request (call on the event loop); raise an APIError for a bad or refused one."""

    def start(self) -> None:  # noqa: B027 (optional hook)
        """Begin serving (start workers); called once when the app starts."""

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Stop workers and free resources; called once when the app stops."""

    def queue_depth(self) -> int:
        """Requests admitted and not yet finished."""
        return 0

    def load_adapter(self, name: str, path: str, replace: bool = False) -> None:
        """Attach an adapter under `name` at run time (blocking; the app runs it in a thread); with `replace`, a
        served adapter of that name is swapped for the new one once it has loaded (never a moment without)."""
        raise NotImplementedError("this backend cannot load adapters")

    def unload_adapter(self, name: str) -> None:
        """Detach the adapter `name` (blocking)."""
        raise NotImplementedError("this backend cannot unload adapters")
