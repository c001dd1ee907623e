"""The transformers backend: one base model in memory, PEFT adapters attached to it, requests batched.

The base is loaded once; adapters are added with PEFT's multi-adapter API (`load_adapter`, `set_adapter`,
`delete_adapter`), so their small weights sit beside the one shared copy of the base. Requests for the same
model with the same sampling settings are grouped by a BatchQueue into one left-padded `generate` call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import torch
from transformers import LogitsProcessorList, StoppingCriteriaList

from tunesmith.errors import InputError
from tunesmith.serve.adapters import ServePlan
from tunesmith.serve.backends.base import Generation, GenerationRequest
from tunesmith.serve.backends.batching import BatchQueue, Job, QueueFull
from tunesmith.serve.backends.local import LocalBackend
from tunesmith.serve.backends.rows import Row, RowStopper, RowStreamer
from tunesmith.serve.constrained import Grammars, call_grammar, grammar_for
from tunesmith.serve.errors import APIError, shutting_down, too_many

log = logging.getLogger("tunesmith.serve")


class TransformersBackend(LocalBackend):
    """Serves `plan.base` under `plan.base_name` and each adapter under its name, on CPU or one GPU."""

    def __init__(self, served: ServePlan, queue_size: int = 64, max_batch: int = 8, device: str | None = None):
        super().__init__(served)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer.padding_side = "left"
        self.model = self._load_base()
        self.max_len = getattr(self.model.config, "max_position_embeddings", None)
        self.peft = None  # the PeftModel wrapping self.model, while at least one adapter is attached
        self.lock = threading.Lock()  # held while the model generates or its adapters change
        self.grammars = Grammars(self.tokenizer, self.model.config.vocab_size)
        self.eos_ids = _eos_ids(self.model, self.tokenizer)
        self.queue = BatchQueue(self._run_batch, capacity=queue_size, max_batch=max_batch)
        for name, folder in served.adapters.items():
            self._attach(name, folder)

    # -- the Backend interface

    def start(self) -> None:
        self.queue.start()

    def close(self) -> None:
        for job in self.queue.stop():
            job.payload[0].fail(shutting_down())

    def queue_depth(self) -> int:
        return self.queue.depth()

    def submit(self, request: GenerationRequest) -> Generation:
        self.check_model(request.model)
        prompt_ids = self.prompt_ids(request)
        grammar = grammar_for(request.sampling.output_format()) or call_grammar(request.sampling.forced_tools)
        if grammar is not None:
            self.grammars.check(grammar)
        generation = Generation(request.n, prompt_tokens=len(prompt_ids))
        sampling = request.sampling
        if sampling.temperature == 0:  # greedy: top_p and seed change nothing, so any such requests batch together
            sampling = replace(sampling, temperature=0.0, top_p=1.0, seed=None)
        job = Job((request.model, sampling), (generation, prompt_ids, request.max_tokens, grammar), size=request.n)
        try:
            self.queue.submit(job)
        except QueueFull:
            raise too_many("The server's queue is full; retry shortly.", "queue_full", 1) from None
        return generation

    # -- internals

    def _attach(self, name: str, folder: Path) -> None:
        from peft import PeftModel

        with self.lock:
            try:
                if self.peft is None:
                    self.peft = PeftModel.from_pretrained(self.model, folder, adapter_name=name)
                else:
                    self.peft.load_adapter(folder, adapter_name=name)
            except Exception as exc:  # a broken or mismatched adapter: safetensors, shape and config errors alike
                self._discard(name)
                raise InputError(str(folder), f"could not load this adapter onto {self.base_name}: {exc}") from None
            self.peft.eval()
            self.adapters[name] = folder

    def _detach(self, name: str) -> None:
        with self.lock:
            self.peft.delete_adapter(name)
            del self.adapters[name]
            if not self.adapters:  # PEFT cannot run with zero adapters: put the plain base back
                self.model = self.peft.unload()
                self.peft = None

    def _load_base(self):
        from tunesmith.models.loading import load_model

        model = load_model(self.base_path, "bfloat16" if self.device == "cuda" else "float32").to(self.device)
        return model.eval()

    def _discard(self, name: str) -> None:
        """Undo a failed attach: drop the half-added adapter, or, when it was the first, reload a clean base.

        PEFT wraps the base's layers before it reads the adapter's weights, so a failed first load leaves the
        base modified and no PeftModel to undo it with.
        """
        if self.peft is None:
            self.model = self._load_base()
        elif name in self.peft.peft_config:
            self.peft.delete_adapter(name)

    def _run_batch(self, jobs: list[Job]) -> None:
        """Generate every choice of `jobs` (same model, same sampling) in one call; settle each job."""
        jobs = [job for job in jobs if not job.payload[0].cancelled.is_set()]
        if not jobs:
            return
        model_name, sampling = jobs[0].key
        grammar = jobs[0].payload[3]
        rows = [Row(gen, i, max_tokens) for gen, _, max_tokens, _ in (j.payload for j in jobs) for i in range(gen.n)]
        prompts = [ids for gen, ids, _, _ in (j.payload for j in jobs) for _ in range(gen.n)]
        try:
            with self.lock:
                self.check_model(model_name)  # it may have been unloaded while the job waited
                self._generate(model_name, sampling, grammar, rows, prompts)
        except Exception as exc:
            if not isinstance(exc, APIError):
                log.exception("generation failed")
                exc = APIError(500, "The model failed to generate a reply.", type="server_error")
            for job in jobs:
                job.payload[0].fail(exc)

    def _generate(self, model_name: str, sampling, grammar: str | None, rows: list[Row], prompts) -> None:
        batch = self.tokenizer.pad({"input_ids": prompts}, padding=True, return_tensors="pt").to(self.device)
        width = batch["input_ids"].shape[1]
        streamer = RowStreamer(self.tokenizer, rows, self.eos_ids, sampling.stop)
        processors = LogitsProcessorList()
        if grammar is not None:
            processors.append(self.grammars.processor(grammar, len(rows), lambda i: rows[i].done))
        kwargs = {"do_sample": False}
        if sampling.temperature > 0:
            kwargs = {"do_sample": True, "temperature": sampling.temperature, "top_p": sampling.top_p, "top_k": None}
            if sampling.seed is not None:
                torch.manual_seed(sampling.seed)
        model = self.peft if self.peft is not None else self.model
        with torch.inference_mode(), _routed(self.peft, model_name if model_name in self.adapters else None):
            model.generate(
                **batch,
                max_new_tokens=max(row.limit for row in rows),
                pad_token_id=self.tokenizer.pad_token_id,
                logits_processor=processors,
                stopping_criteria=StoppingCriteriaList([RowStopper(rows, width)]),
                streamer=streamer,
                **kwargs,
            )


@contextmanager
def _routed(peft, name: str | None) -> Iterator[None]:
    """Route generation through adapter `name`, or through the bare base (adapters disabled) when None."""
    if peft is None:
        yield
    elif name is None:
        with peft.disable_adapter():
            yield
    else:
        peft.set_adapter(name)
        yield


def _eos_ids(model, tokenizer) -> set[int]:
    """Every token that ends a reply: the generation config's EOS ids and the tokenizer's."""
    configured = model.generation_config.eos_token_id
    ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids
