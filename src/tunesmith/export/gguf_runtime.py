"""A GGUF loaded in llama.cpp (through llama-cpp-python), optionally with a GGUF LoRA beside it.

`load_gguf` is the one way tunesmith opens a GGUF (the export verifier and the llama.cpp serving backend);
`LlamaCppRuntime` is the verifier's `Runtime`: exact greedy decoding on token ids.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from tunesmith.errors import InputError
from tunesmith.export.llama_cpp import import_llama_cpp

DEFAULT_CONTEXT = 2048
AMX_SWITCH = "TUNESMITH_LLAMA_CPP_AMX"  # "1": keep llama.cpp's AMX kernels in a build that has them
_PARAMS_LOCK = threading.Lock()


def load_gguf(
    path: str | Path, lora: str | Path | None = None, n_threads: int | None = None, n_ctx: int = DEFAULT_CONTEXT
):
    """A `llama_cpp.Llama` for the GGUF at `path` (and the GGUF LoRA `lora` applied at scale 1), logging nothing.

    `n_threads` is used for the prompt and generation both (default: llama-cpp-python's, half the cores for
    generation); `n_ctx` 0 takes the context the model was trained with.
    """
    llama_cpp = import_llama_cpp("loading a GGUF")
    try:
        with _model_params(llama_cpp, extra_buffer_types=_extra_buffer_types(llama_cpp)):
            return llama_cpp.Llama(
                model_path=str(path),
                lora_path=str(lora) if lora is not None else None,
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
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


# -- llama.cpp's C API beside the high-level Llama: every such call tunesmith makes is here, tested in
#    tests/export/test_gguf.py, so a change in llama-cpp-python's bindings fails there first.


def amx_kernels_built(llama_cpp) -> bool:
    """Whether this llama.cpp build has ggml's AMX int8 kernels (a native build on a CPU that reports AMX)."""
    return b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()


def _extra_buffer_types(llama_cpp) -> bool:
    """Whether weights may go into llama.cpp's extra buffer types: not in a build with AMX kernels, unless asked."""
    return not amx_kernels_built(llama_cpp) or os.environ.get(AMX_SWITCH) == "1"


@contextmanager
def _model_params(llama_cpp, extra_buffer_types: bool):
    """While a `Llama` is built, let llama.cpp place weights in its extra buffer types (AMX, repacked) or not.

    ggml's AMX kernels load the tile configuration once per thread and then fault (SIGILL, the whole process)
    where the tile state is not kept, as on this project's virtual machines, whose CPUs report AMX: so a build
    with them keeps weights in plain CPU buffers unless TUNESMITH_LLAMA_CPP_AMX=1. `Llama` takes no such
    argument; it reads `llama_model_default_params()` of the low-level module, which is wrapped here, under a
    lock, and put back.
    """
    if extra_buffer_types:
        yield
        return
    low_level = llama_cpp.llama_cpp
    with _PARAMS_LOCK:
        default = low_level.llama_model_default_params

        def plain_buffers():
            params = default()
            params.use_extra_bufts = False
            return params

        low_level.llama_model_default_params = plain_buffers
        try:
            yield
        finally:
            low_level.llama_model_default_params = default


def last_logits(llm) -> np.ndarray:
    """A copy of the logits llama.cpp computed for the last token evaluated (`llm.eval`), one per vocabulary id."""
    llama_cpp = import_llama_cpp("reading llama.cpp's logits")
    pointer = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    if not pointer:
        raise RuntimeError("llama.cpp has no logits for the last token (nothing was evaluated)")
    return np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).copy()


def load_lora(llm, path: str | Path):
    """A GGUF LoRA loaded for `llm`'s model (not yet applied): the handle `use_lora` takes."""
    llama_cpp = import_llama_cpp("loading a GGUF LoRA")
    handle = llama_cpp.llama_adapter_lora_init(llm.model, str(path).encode())
    if not handle:
        raise InputError(str(path), "llama.cpp could not load this GGUF LoRA onto the served base")
    return handle


def use_lora(llm, handle=None, scale: float = 1.0) -> None:
    """Apply only the LoRA `handle` (at `scale`) to `llm`'s context, or no LoRA at all when `handle` is None."""
    llama_cpp = import_llama_cpp("applying a GGUF LoRA")
    if handle is None:
        failed = llama_cpp.llama_set_adapters_lora(llm.ctx, None, 0, None)
    else:
        handles = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(handle)
        scales = (ctypes.c_float * 1)(scale)
        failed = llama_cpp.llama_set_adapters_lora(llm.ctx, handles, 1, scales)
    if failed:
        raise RuntimeError(f"llama.cpp refused to set the LoRA adapters (status {failed})")


def free_lora(handle) -> None:
    """Free a LoRA from `load_lora` (take it off every context first: `use_lora(llm, None)`)."""
    import_llama_cpp("freeing a GGUF LoRA").llama_adapter_lora_free(handle)
