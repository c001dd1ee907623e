"""Teacher models that write synthetic data: any OpenAI-compatible endpoint, or a local model.

A teacher answers a list of prompts (plain strings, or chat conversations) with one reply each, in order, and has a
`name` that synthesized records carry in their meta. An endpoint's API key is read from the environment variable
named by `api_key_env` when the teacher is made; it is never written to a recipe, a record or a report.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Literal, Protocol

from pydantic import Field, model_validator

from tunesmith.errors import InputError
from tunesmith.schema import Strict

Prompt = str | list[dict]


class TeacherConfig(Strict):
    """Which teacher writes the data, and how it samples."""

    kind: Literal["openai", "local"] = "openai"
    model: str  # the served model's name (openai), or a model ref: alias, folder, hub id or run directory (local)
    base_url: str | None = None  # the endpoint, e.g. http://localhost:8000/v1; None: the openai package's default
    api_key_env: str | None = "OPENAI_API_KEY"  # variable holding the key; None for servers that need none
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(1024, ge=1)  # most tokens per reply
    concurrency: int = Field(4, ge=1)  # requests in flight at once (openai)
    timeout: float = Field(120.0, gt=0)  # seconds per request (openai)
    max_retries: int = Field(3, ge=0)  # retries of failed requests, with backoff (openai)
    batch_size: int = Field(8, ge=1)  # prompts generated together (local)

    @model_validator(mode="after")
    def _local_has_no_endpoint(self) -> TeacherConfig:
        if self.kind == "local" and self.base_url is not None:
            raise ValueError("base_url is for kind 'openai'; a local teacher is a model ref in 'model'")
        return self


class Teacher(Protocol):
    """Answers prompts: one reply per prompt, in order."""

    name: str

    def complete(self, prompts: list[Prompt], **sampling) -> list[str]:
        """The reply to each prompt; `sampling` may override temperature and max_tokens."""
        ...


def make_teacher(cfg: TeacherConfig) -> Teacher:
    """The teacher `cfg` describes (an endpoint's key is read from the environment now)."""
    if cfg.kind == "local":
        return LocalTeacher(cfg.model, cfg.temperature, cfg.max_tokens, cfg.batch_size)
    return OpenAITeacher(
        cfg.base_url, cfg.model, cfg.api_key_env, cfg.temperature, cfg.max_tokens, cfg.concurrency, cfg.timeout,
        cfg.max_retries,
    )  # fmt: skip


def as_messages(prompt: Prompt) -> list[dict]:
    """A prompt as a chat conversation: a string becomes one user turn."""
    return [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt


class OpenAITeacher:
    """A model behind an OpenAI-compatible chat completions endpoint (OpenAI, vLLM, llama.cpp, tunesmith serve …)."""

    def __init__(
        self,
        base_url: str | None,
        model: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        temperature: float = 0.7,
        max_tokens: int = 1024,
        concurrency: int = 4,
        timeout: float = 120.0,
        max_retries: int = 3,
    ):
        import openai

        key = "unused"  # the openai client insists on a key; servers without auth ignore it
        if api_key_env is not None:
            key = os.environ.get(api_key_env, "")
            if not key:
                raise InputError(
                    "teacher.api_key_env",
                    f"environment variable {api_key_env} is not set; expected the API key of "
                    f"{base_url or 'the OpenAI API'} in it (or api_key_env: null for a server without keys)",
                )
        self.client = openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=max_retries)
        self.model = model
        self.base_url = str(self.client.base_url).rstrip("/")
        self.name = f"openai:{model}@{self.base_url}"
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.concurrency = concurrency

    def complete(self, prompts: list[Prompt], **sampling) -> list[str]:
        """The reply to each prompt, `concurrency` requests at a time."""
        options = {"temperature": self.temperature, "max_tokens": self.max_tokens, **sampling}
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda prompt: self._one(prompt, options), prompts))

    def _one(self, prompt: Prompt, options: dict) -> str:
        """One chat completion's text ('' when the server sent none)."""
        import openai

        try:
            reply = self.client.chat.completions.create(model=self.model, messages=as_messages(prompt), **options)
        except openai.APIStatusError as exc:
            raise InputError(self.name, f"request failed: {exc.message}") from None
        except openai.APIError as exc:  # connection errors and timeouts, after the client's retries
            raise InputError(self.name, f"request failed ({exc}); expected a reachable endpoint") from None
        return (reply.choices[0].message.content or "") if reply.choices else ""


class LocalTeacher:
    """A local model (alias, folder, hub id or run directory) generating on this machine."""

    def __init__(self, model_ref: str, temperature: float = 0.7, max_tokens: int = 1024, batch_size: int = 8):
        self.model_ref = str(model_ref)
        self.name = f"local:{self.model_ref}"
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.batch_size = batch_size

    def complete(self, prompts: list[Prompt], **sampling) -> list[str]:
        """The reply to each prompt, generated in batches with the model's chat template."""
        from tunesmith.models.generate import generate

        model, tokenizer = _load(self.model_ref)
        return generate(
            model,
            tokenizer,
            [as_messages(prompt) for prompt in prompts],
            max_new_tokens=sampling.get("max_tokens", self.max_tokens),
            batch_size=self.batch_size,
            temperature=sampling.get("temperature", self.temperature),
        )


@lru_cache(maxsize=1)
def _load(ref: str):
    """(model, tokenizer) for a local teacher, loaded once per process."""
    from tunesmith.models.loading import load_for_inference, source_for

    return load_for_inference(source_for(ref))
