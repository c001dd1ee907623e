"""Which model judges two answers, and how it is asked: the `judge` of a flywheel recipe, `tunesmith eval --judge-…`
and the arena all take this one config (tunesmith.eval.judge runs it)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from tunesmith.schema import Strict

SLOTS = ("{prompt}", "{a}", "{b}")
JUDGE_PROMPT = (
    "Two assistants answered the same request. Which answer is better: more correct, complete and useful? "
    "Reply with one word: A, B, or TIE.\n\nRequest:\n{prompt}\n\nAnswer A:\n{a}\n\nAnswer B:\n{b}"
)


class JudgeConfig(Strict):
    """An LLM judge asked which of two answers is better: a model behind an OpenAI-compatible endpoint (`openai`)
    or a local model ref (`local`: an alias, folder, hub id or run directory, generating on this machine)."""

    kind: Literal["openai", "local"] = "openai"
    model: str  # the served model's name (openai), or a model ref (local)
    base_url: str | None = None  # the endpoint, e.g. http://localhost:8000/v1; None: the OpenAI API (openai only)
    api_key_env: str | None = "OPENAI_API_KEY"  # variable holding the key; None for servers that need none
    prompt: str = JUDGE_PROMPT  # {prompt}, {a} and {b} are filled in one pass
    max_tokens: int = Field(8, ge=1)  # most tokens per verdict
    concurrency: int = Field(4, ge=1)  # requests in flight at once (openai)
    timeout: float = Field(60.0, gt=0)  # seconds per request (openai)
    max_retries: int = Field(2, ge=0)  # retries of a failed request, with backoff (openai)
    batch_size: int = Field(8, ge=1)  # judge prompts generated together (local)

    @field_validator("prompt")
    @classmethod
    def _has_slots(cls, value: str) -> str:
        missing = missing_slots(value)
        if missing:
            raise ValueError(f"must contain {', '.join(missing)}: where the request and the two answers go")
        return value

    @model_validator(mode="after")
    def _local_has_no_endpoint(self) -> JudgeConfig:
        if self.kind == "local" and self.base_url is not None:
            raise ValueError("base_url is for kind 'openai'; a local judge is a model ref in 'model'")
        if self.kind == "local" and "api_key_env" in self.model_fields_set and self.api_key_env is not None:
            raise ValueError("api_key_env is for kind 'openai'; a local judge needs no key")
        return self


def missing_slots(template: str) -> list[str]:
    """The slots a judge prompt lacks."""
    return [slot for slot in SLOTS if slot not in template]
