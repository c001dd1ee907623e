"""A GGUF loaded in llama.cpp (through llama-cpp-python), optionally with a GGUF LoRA beside it.

`load_gguf` is the one way tunesmith opens a GGUF (the export verifier and the llama.cpp serving backend);
`LlamaCppRuntime` is the verifier's `Runtime`: exact greedy decoding on token ids.
"""

from __future__ import annotations

import time
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.export.llama_cpp import import_llama_cpp

DEFAULT_CONTEXT = 2048


def load_gguf(
    path: str | Path, lora: str | Path | None = None, n_threads: int | None = None, n_ctx: int = DEFAULT_CONTEXT
):
    """A `llama_cpp.Llama` for the GGUF at `path` (and the GGUF LoRA `lora` applied at scale 1), logging nothing."""
    llama_cpp = import_llama_cpp("loading a GGUF")
    try:
        return llama_cpp.Llama(
            model_path=str(path),
            lora_path=str(lora) if lora is not None else None,
            n_ctx=n_ctx,
            n_threads=n_threads,
            verbose=False,
        )
    except ValueError as exc:  # llama-cpp-python's "Failed to load model from file" and LoRA failures
        raise InputError(str(lora or path), f"llama.cpp could not load it ({exc})") from None


class LlamaCppRuntime:
    """verify.Runtime in llama.cpp: greedy (temperature 0: argmax, first index on ties, as torch) on token ids."""

    def __init__(
        self, path: Path, lora: Path | None = None, n_threads: int | None = None, n_ctx: int = DEFAULT_CONTEXT
    ):
        started = time.perf_counter()
        self.llm = load_gguf(path, lora, n_threads, n_ctx)
        self.load_seconds = time.perf_counter() - started
        version = import_llama_cpp("loading a GGUF").__version__
        self.name = f"llama.cpp (llama-cpp-python {version})" + (" + LoRA" if lora else "")

    def greedy(self, ids: list[int], max_new_tokens: int, stop_ids: set[int]) -> list[int]:
        """New token ids after `ids`, from a fresh context, ending at a stop id or after `max_new_tokens`."""
        self.llm.reset()
        tokens: list[int] = []
        if max_new_tokens < 1:
            return tokens
        for token in self.llm.generate(ids, temp=0.0, repeat_penalty=1.0, reset=True):
            tokens.append(int(token))
            if token in stop_ids or len(tokens) >= max_new_tokens:
                break
        return tokens

    def close(self) -> None:
        """Free llama.cpp's model and context now rather than at garbage collection."""
        self.llm.close()
