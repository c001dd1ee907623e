"""The llama.cpp backend (`--backend llama.cpp`): the base as one GGUF and PEFT LoRAs as GGUF LoRAs, on the CPU.

One copy of the base is loaded into llama.cpp (through llama-cpp-python); each adapter is a small GGUF LoRA
loaded beside it and switched onto the context per request, as a device keeps one base and many adapters.
Prompts are rendered by LocalBackend with the model's own chat template into the same token ids the transformers
backend uses; tunesmith then runs the decoding loop itself on llama.cpp's logits, so greedy, temperature/top_p
sampling, stop strings, streaming and constrained decoding (the llguidance grammars of `response_format` and
required tool calls) behave as in the transformers backend. Requests run one at a time: llama-cpp-python's
context holds one sequence, so there is no batching across requests.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
import torch

from tunesmith.errors import InputError
from tunesmith.serve.adapters import ServePlan
from tunesmith.serve.backends.base import Generation, GenerationRequest, Sampling
from tunesmith.serve.backends.batching import BatchQueue, Job, QueueFull
from tunesmith.serve.backends.gguf_files import base_gguf, local_folder, lora_gguf
from tunesmith.serve.backends.local import LocalBackend
from tunesmith.serve.backends.rows import Row, RowStreamer
from tunesmith.serve.constrained import Grammars, call_grammar, grammar_for
from tunesmith.serve.errors import APIError, invalid, shutting_down, too_many

log = logging.getLogger("tunesmith.serve")
DEFAULT_QUANT = "f16"  # lossless enough that greedy replies equal PyTorch's (export verification); q8_0 is faster


class LlamaCppBackend(LocalBackend):
    """Serves `served.base` (converted to GGUF `quant`, or the GGUF file `gguf`) and each adapter as a GGUF LoRA."""

    def __init__(
        self,
        served: ServePlan,
        queue_size: int = 64,
        quant: str = DEFAULT_QUANT,
        gguf: str | Path | None = None,
        n_threads: int | None = None,
        progress=None,
    ):
        from tunesmith.export.gguf_runtime import load_gguf
        from tunesmith.progress import SILENT

        super().__init__(served)
        self.progress = progress or SILENT
        self.model_file = Path(gguf) if gguf is not None else base_gguf(served.base, quant, self.progress)
        if not self.model_file.is_file():
            raise InputError(str(self.model_file), "no such GGUF file")
        self.llm = load_gguf(self.model_file, n_threads=n_threads or os.cpu_count(), n_ctx=0)
        self.max_len = self.llm.n_ctx()
        self.lock = threading.Lock()  # held while the context generates or adapters change
        self.grammars = Grammars(self.tokenizer, self.llm.n_vocab())
        self.eos_ids = _eos_ids(served.base, self.tokenizer)
        self.rng = np.random.default_rng()
        self.queue = BatchQueue(self._run, capacity=queue_size, max_batch=1)
        for name, folder in served.adapters.items():
            self._attach(name, folder)

    # -- the Backend interface

    def start(self) -> None:
        self.queue.start()

    def close(self) -> None:
        from tunesmith.export.gguf_runtime import free_lora, use_lora

        for job in self.queue.stop():
            job.payload[0].fail(shutting_down())
        with self.lock:
            use_lora(self.llm, None)
            for name in list(self.adapters):
                free_lora(self.adapters.pop(name))
            self.llm.close()

    def queue_depth(self) -> int:
        return self.queue.depth()

    def submit(self, request: GenerationRequest) -> Generation:
        self.check_model(request.model)
        prompt_ids = self.prompt_ids(request)
        if not prompt_ids:  # llama.cpp has no logits to start from (transformers would start from nothing too)
            raise invalid("The prompt is empty; send at least one token of text.", "prompt")
        grammar = grammar_for(request.sampling.output_format()) or call_grammar(request.sampling.forced_tools)
        if grammar is not None:
            self.grammars.check(grammar)
        generation = Generation(request.n, prompt_tokens=len(prompt_ids))
        job = Job(request.model, (generation, prompt_ids, request.max_tokens, grammar, request.sampling), request.n)
        try:
            self.queue.submit(job)
        except QueueFull:
            raise too_many("The server's queue is full; retry shortly.", "queue_full", 1) from None
        return generation

    # -- adapters: a GGUF LoRA handle per name

    def _attach(self, name: str, folder: Path) -> None:
        from tunesmith.export.gguf_runtime import load_lora

        lora = lora_gguf(folder, self.base_path, self.progress)
        with self.lock:
            self.adapters[name] = load_lora(self.llm, lora)

    def _detach(self, name: str) -> None:
        from tunesmith.export.gguf_runtime import free_lora, use_lora

        with self.lock:
            use_lora(self.llm, None)  # the next request sets its own adapter again
            free_lora(self.adapters.pop(name))

    # -- generation

    def _run(self, jobs: list[Job]) -> None:
        """Generate every choice of the one job the queue hands over (max_batch=1); settle it."""
        (job,) = jobs
        generation, prompt_ids, max_tokens, grammar, sampling = job.payload
        if generation.cancelled.is_set():
            return
        try:
            with self.lock:
                self.check_model(job.key)  # it may have been unloaded while the job waited
                self._generate(job.key, prompt_ids, max_tokens, grammar, sampling, generation)
        except Exception as exc:
            if not isinstance(exc, APIError):
                log.exception("generation failed")
                exc = APIError(500, "The model failed to generate a reply.", type="server_error")
            generation.fail(exc)

    def _generate(self, model_name, prompt_ids, max_tokens, grammar, sampling: Sampling, generation) -> None:
        from tunesmith.export.gguf_runtime import last_logits, use_lora

        use_lora(self.llm, self.adapters.get(model_name))
        self.llm.reset()  # a fresh context: nothing cached under another adapter is reused
        self.llm.eval(prompt_ids)
        prompt_logits = last_logits(self.llm)
        rng = np.random.default_rng(sampling.seed) if sampling.seed is not None else self.rng
        for index in range(generation.n):
            row = Row(generation, index, max_tokens)
            self.llm.n_tokens = len(prompt_ids)  # each choice continues the prompt: its KV cache is kept
            self._choice(row, prompt_logits, grammar, sampling, rng)

    def _choice(self, row: Row, logits: np.ndarray, grammar: str | None, sampling: Sampling, rng) -> None:
        """Decode one choice token by token: mask by the grammar, pick, stream, stop."""
        from tunesmith.export.gguf_runtime import last_logits

        streamer = RowStreamer(self.tokenizer, [row], self.eos_ids, sampling.stop)
        streamer.prompt_seen = True
        processor = self.grammars.processor(grammar, 1, lambda _: row.done) if grammar is not None else None
        last = -1
        while not row.done:
            if processor is not None:
                masked = processor(torch.tensor([[last]]), torch.from_numpy(logits)[None])
                logits = masked[0].numpy()
            last = pick(logits, sampling, rng)
            streamer.put(torch.tensor([last]))
            if row.done:
                break
            self.llm.eval([last])
            logits = last_logits(self.llm)
        streamer.end()


def pick(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> int:
    """The next token: argmax at temperature 0 (first index on ties, as torch), else nucleus sampling."""
    if sampling.temperature == 0:
        return int(np.argmax(logits))
    scaled = logits.astype(np.float64) / sampling.temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    if sampling.top_p < 1.0:
        order = np.argsort(-probs, kind="stable")
        keep = np.searchsorted(np.cumsum(probs[order]), sampling.top_p) + 1  # the smallest set reaching top_p
        kept = order[:keep]
        return int(rng.choice(kept, p=probs[kept] / probs[kept].sum()))
    return int(rng.choice(len(probs), p=probs))


def _eos_ids(base: str, tokenizer) -> set[int]:
    """Every token that ends a reply: the model's generation config's EOS ids and the tokenizer's (as transformers)."""
    from transformers import GenerationConfig

    try:
        configured = GenerationConfig.from_pretrained(local_folder(base)).eos_token_id
    except OSError:  # no generation_config.json: the tokenizer's EOS alone
        configured = None
    ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids
