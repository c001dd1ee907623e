"""A model-free backend for app-level tests: it answers with the last user message, reversed."""

from __future__ import annotations

from tunesmith.serve.backends.base import Backend, Delta, Finish, Generation, GenerationRequest, ModelInfo
from tunesmith.serve.errors import model_not_found


class EchoBackend(Backend):
    """Serves one model, `echo`; every choice is the last message (or prompt) reversed, one word per delta."""

    def models(self) -> list[ModelInfo]:
        return [ModelInfo("echo")]

    def submit(self, request: GenerationRequest) -> Generation:
        if request.model != "echo":
            raise model_not_found(request.model)
        text = request.messages[-1]["content"] if request.messages else request.prompt or ""
        words = text[::-1].split(" ")
        generation = Generation(request.n, prompt_tokens=len(text.split()))
        for index in range(request.n):
            for i, word in enumerate(words):
                generation.push(Delta(index, word if i == 0 else " " + word))
            generation.push(Finish(index, "stop", len(words)))
        return generation
