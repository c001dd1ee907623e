"""What the local backends (transformers, vLLM) share: one base model on this machine and named adapters on it.

Both keep the same adapter bookkeeping, render prompts with the model's chat template (tools natively or in the
fallback format) into the same tokens, and refuse a prompt that does not fit the model's context the same way;
only generation and attaching differ.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any

from tunesmith.errors import InputError
from tunesmith.models.tool_calls import for_template
from tunesmith.serve.adapters import ServePlan, adapter_folder, check_adapter_name
from tunesmith.serve.backends.base import Backend, GenerationRequest, ModelInfo
from tunesmith.serve.errors import invalid, model_not_found


class LocalBackend(Backend):
    """Serves `served.base` under its name and each adapter under its own.

    A subclass sets `max_len` (the context length, None when the model does not say) and implements `_attach`
    and `_detach`; `adapters` maps each served adapter name to whatever the subclass keeps for it. A subclass may
    override `_replace` (the default attaches under a temporary name, then swaps the entries).
    """

    max_len: int | None = None

    def __init__(self, served: ServePlan):
        from tunesmith.models.loading import load_tokenizer

        self.base_path, self.base_name = served.base, served.base_name
        self.tokenizer = load_tokenizer(served.base)
        self.adapters: dict[str, Any] = {}
        self._replacements = 0

    def models(self) -> list[ModelInfo]:
        return [ModelInfo(self.base_name)] + [ModelInfo(name, self.base_name) for name in self.adapters]

    def load_adapter(self, name: str, path: str, replace: bool = False) -> None:
        """Attach an adapter under `name`; with `replace`, a served `name` switches to the new one atomically."""
        check_adapter_name(name)
        if name == self.base_name or (name in self.adapters and not replace):
            raise InputError(f"adapter name {name!r}", "already taken; unload it first or pick another name")
        folder = adapter_folder(path, self.base_path)
        if name in self.adapters:
            self._replace(name, folder)
        else:
            self._attach(name, folder)

    def _replace(self, name: str, folder: Path) -> None:
        """Attach `folder` under a temporary name, point `name` at it, then detach the old one under the temporary
        name: `name` is served throughout, and when the new adapter fails to load the old one stays."""
        temp = f"{name}:replacing-{self._replacements}"
        self._replacements += 1
        self._attach(temp, folder)
        self.adapters[name], self.adapters[temp] = self.adapters[temp], self.adapters[name]
        self._detach(temp)

    def unload_adapter(self, name: str) -> None:
        if name not in self.adapters:
            raise model_not_found(name)
        self._detach(name)

    @abstractmethod
    def _attach(self, name: str, folder: Path) -> None:
        """Load the adapter in `folder` under `name` (an InputError when it does not load onto the base)."""

    @abstractmethod
    def _detach(self, name: str) -> None:
        """Drop the attached adapter `name`."""

    def check_model(self, name: str) -> None:
        """A 404 unless `name` is the base or an attached adapter."""
        if name != self.base_name and name not in self.adapters:
            raise model_not_found(name)

    def prompt_ids(self, request: GenerationRequest) -> list[int]:
        """The prompt's token ids (chat turns through the model's chat template); a 400 when the reply cannot fit."""
        ids = self._tokenize(request)
        if self.max_len and len(ids) + request.max_tokens > self.max_len:
            message = (
                f"This model's maximum context length is {self.max_len} tokens; the prompt has {len(ids)} "
                f"and max_tokens asks for {request.max_tokens} more."
            )
            raise invalid(message, "messages" if request.messages is not None else "prompt", "context_length_exceeded")
        return ids

    def _tokenize(self, request: GenerationRequest) -> list[int]:
        if request.messages is None:
            return self.tokenizer(request.prompt or "")["input_ids"]
        messages, tools = for_template(request.messages, request.tools, self.tokenizer.chat_template)
        try:
            text = self.tokenizer.apply_chat_template(messages, tools=tools, add_generation_prompt=True, tokenize=False)
        except Exception as exc:  # the model's chat template refuses these turns (e.g. a role it has no place for)
            raise invalid(f"The model's chat template cannot render these messages: {exc}", "messages") from None
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]
