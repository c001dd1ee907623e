"""The transformers backend: one base model in memory, adapters of every type beside it, requests batched.

The base is loaded once. Adapters are registered by name (`served.adapters`, `load_adapter`) and attached through
`AdapterGroups` (peft_groups.py): one PeftModel per PEFT type on a view sharing the base's weights, so LoRA, IA3,
prompt tuning … adapters are served at once. With `max_loaded`, at most that many are attached; the least recently
used one goes when another is needed (working_set.py), and comes back on its next request.

A BatchQueue groups requests with the same sampling settings: requests for the base and for plain LoRA adapters
share one left-padded `generate` call (PEFT's per-row `adapter_names`, as S-LoRA/Punica batch many LoRAs); every
other adapter's requests batch per adapter.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from transformers import LogitsProcessorList, StoppingCriteriaList

from tunesmith.errors import InputError
from tunesmith.serve.adapters import ServePlan
from tunesmith.serve.backends.base import Generation, GenerationRequest
from tunesmith.serve.backends.batching import BatchQueue, Job, QueueFull
from tunesmith.serve.backends.local import LocalBackend
from tunesmith.serve.backends.peft_groups import AdapterGroups, Kind, adapter_kind
from tunesmith.serve.backends.rows import Row, RowStopper, RowStreamer
from tunesmith.serve.backends.working_set import WorkingSet
from tunesmith.serve.constrained import Grammars, call_grammar, grammar_for
from tunesmith.serve.errors import APIError, model_not_found, shutting_down, too_many

log = logging.getLogger("tunesmith.serve")

MIXED = "mixed"  # the batch key's first part for the base and plain LoRA adapters: their rows share a batch


@dataclass(frozen=True)
class Registered:
    """A served adapter: its folder, how it is served, and its `slot` (the name it is attached under in PEFT,
    new for every load, so a replacement can attach before the old one is dropped)."""

    folder: Path
    kind: Kind
    slot: str


@dataclass
class Pending:
    """One queued request's work."""

    generation: Generation
    prompt_ids: list[int]
    max_tokens: int
    grammar: str | None
    model: str


class TransformersBackend(LocalBackend):
    """Serves `plan.base` under `plan.base_name` and each adapter under its name, on CPU or one GPU.

    `max_loaded` caps the adapters attached at once (None: all of `served.adapters` are attached at start); every
    registered adapter is listed and served either way. `mix_adapters` lets plain LoRA adapters and the base share
    a batch; off, every adapter batches alone. PEFT mixes with one sub-batch pass per adapter in each LoRA layer, so
    many adapters with few rows each can cost more than they save (bench/serve_mixed_adapters.py measures it).
    """

    def __init__(
        self,
        served: ServePlan,
        queue_size: int = 64,
        max_batch: int = 8,
        device: str | None = None,
        max_loaded: int | None = None,
        mix_adapters: bool = False,
    ):
        super().__init__(served)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer.padding_side = "left"
        self.model = self._load_base()
        self.max_len = getattr(self.model.config, "max_position_embeddings", None)
        self.attached = AdapterGroups(self.model)
        self.working = WorkingSet(max_loaded)
        self.mix_adapters = mix_adapters
        self.lock = threading.Lock()  # held while the model generates or its adapters change
        self.grammars = Grammars(self.tokenizer, self.model.config.vocab_size)
        self.eos_ids = _eos_ids(self.model, self.tokenizer)
        self.queue = BatchQueue(self._run_batch, capacity=queue_size, max_batch=max_batch)
        self._slots = itertools.count(1)
        for name, folder in served.adapters.items():
            self._register(name, folder, attach_now=max_loaded is None)

    # -- the Backend interface

    def start(self) -> None:
        self.queue.start()

    def close(self) -> None:
        for job in self.queue.stop():
            job.payload.generation.fail(shutting_down())

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
        entry = self.adapters.get(request.model)
        lane = MIXED if entry is None or self._mixes(entry) else request.model
        pending = Pending(generation, prompt_ids, request.max_tokens, grammar, request.model)
        try:
            self.queue.submit(Job((lane, sampling), pending, size=request.n))
        except QueueFull:
            raise too_many("The server's queue is full; retry shortly.", "queue_full", 1) from None
        return generation

    # -- adapters: registered by name, attached by slot

    def _attach(self, name: str, folder: Path) -> None:
        self._register(name, folder, attach_now=True)

    def _register(self, name: str, folder: Path, attach_now: bool) -> None:
        entry = self._entry(name, folder)
        with self.lock:
            if name in self.adapters:  # another caller registered it meanwhile
                raise InputError(f"adapter name {name!r}", "already taken; unload it first or pick another name")
            if attach_now:
                self._load(entry)
            self.adapters[name] = entry

    def _replace(self, name: str, folder: Path) -> None:
        """Attach the new adapter under a fresh slot, then point `name` at it and drop the old, all under the lock:
        requests for `name` get the old adapter or the new one, never a 404; a failed load leaves the old."""
        entry = self._entry(name, folder)
        with self.lock:
            self._load(entry)
            old, self.adapters[name] = self.adapters.get(name), entry
            if old is not None:  # (None: it was unloaded meanwhile; the new one is simply added)
                self._drop(old.slot)

    def _detach(self, name: str) -> None:
        with self.lock:
            self._drop(self.adapters.pop(name).slot)

    def _entry(self, name: str, folder: Path) -> Registered:
        try:
            kind = adapter_kind(folder)
        except (OSError, ValueError) as exc:
            raise InputError(str(folder), f"could not read this adapter's config: {exc}") from None
        return Registered(folder, kind, f"n{next(self._slots)}-{name}")

    def _load(self, entry: Registered, keep: frozenset[str] = frozenset()) -> None:
        """Attach `entry` (call with the lock held), first detaching least recently used adapters not in `keep`."""
        if entry.slot not in self.attached:
            for victim in self.working.victims(keep | {entry.slot}):
                self._drop(victim)
            try:
                self.attached.attach(entry.slot, entry.folder, entry.kind)
            except Exception as exc:  # a broken or mismatched adapter: safetensors, shape and config errors alike
                raise InputError(
                    str(entry.folder), f"could not load this adapter onto {self.base_name}: {exc}"
                ) from None
        self.working.use(entry.slot)

    def _drop(self, slot: str) -> None:
        if slot in self.attached:
            self.attached.detach(slot)
        self.working.forget(slot)

    def _load_base(self):
        from tunesmith.models.loading import load_model

        model = load_model(self.base_path, "bfloat16" if self.device == "cuda" else "float32").to(self.device)
        return model.eval()

    # -- batches

    def _run_batch(self, jobs: list[Job]) -> None:
        """Generate every choice of `jobs` (same sampling): each lane of rows that can share a pass in one call."""
        jobs = [job for job in jobs if not job.payload.generation.cancelled.is_set()]
        if not jobs:
            return
        sampling = jobs[0].key[1]
        with self.lock:
            for lane in self._lanes(jobs):
                self._run_lane(lane, sampling)

    def _lanes(self, jobs: list[Job]) -> list[list[tuple[Job, Registered | None]]]:
        """Split `jobs` into runs of one `generate` each, pairing each job with its adapter (None: the base).

        Resolved now, not at submit: an adapter may have been replaced or unloaded (a 404) while its job waited.
        Mixable rows share a lane naming at most `max_loaded` adapters; every other adapter has a lane of its own
        (one per prompt length where padding would change its answers).
        """
        lanes: dict[tuple, list] = {}
        for job in jobs:
            model = job.payload.model
            if model == self.base_name:
                lanes.setdefault((MIXED,), []).append((job, None))
            elif (entry := self.adapters.get(model)) is None:
                job.payload.generation.fail(model_not_found(model))
            elif self._mixes(entry):
                lanes.setdefault((MIXED,), []).append((job, entry))
            else:
                length = len(job.payload.prompt_ids) if entry.kind.equal_lengths else None
                lanes.setdefault((entry.slot, length), []).append((job, entry))
        return [part for lane in lanes.values() for part in _at_most(lane, self.working.capacity)]

    def _mixes(self, entry: Registered) -> bool:
        """Whether this adapter's rows join the mixed lane (with the base and other plain LoRA adapters)."""
        return self.mix_adapters and entry.kind.mixable

    def _run_lane(self, lane: list[tuple[Job, Registered | None]], sampling) -> None:
        """Attach the lane's adapters (evicting others, never these), then generate its rows in one call."""
        needed = frozenset(entry.slot for _, entry in lane if entry is not None)
        ready = []
        for job, entry in lane:
            try:
                if entry is not None:
                    self._load(entry, keep=needed)
                ready.append((job, entry))
            except InputError as exc:
                log.error("adapter %s could not be attached: %s", job.payload.model, exc)
                job.payload.generation.fail(APIError(500, "The adapter could not be loaded.", type="server_error"))
        if not ready:
            return
        pending = [job.payload for job, _ in ready]
        rows = [Row(p.generation, i, p.max_tokens) for p in pending for i in range(p.generation.n)]
        prompts = [p.prompt_ids for p in pending for _ in range(p.generation.n)]
        slots = [e.slot if e else None for (job, e) in ready for _ in range(job.payload.generation.n)]
        try:
            self._generate(slots, sampling, pending[0].grammar, rows, prompts)
        except Exception as exc:
            if not isinstance(exc, APIError):
                log.exception("generation failed")
                exc = APIError(500, "The model failed to generate a reply.", type="server_error")
            for p in pending:
                p.generation.fail(exc)

    def _generate(self, slots: list[str | None], sampling, grammar: str | None, rows: list[Row], prompts) -> None:
        """One `generate` call for `rows`, row i through adapter slot `slots[i]` (None: the base)."""
        batch = self.tokenizer.pad({"input_ids": prompts}, padding=True, return_tensors="pt").to(self.device)
        width = batch["input_ids"].shape[1]
        model, inputs = self.attached.model_for(slots, dict(batch))
        streamer = RowStreamer(self.tokenizer, rows, self.eos_ids, sampling.stop)
        processors = LogitsProcessorList()
        if grammar is not None:
            processors.append(self.grammars.processor(grammar, len(rows), lambda i: rows[i].done))
        kwargs = {"do_sample": False}
        if sampling.temperature > 0:
            kwargs = {"do_sample": True, "temperature": sampling.temperature, "top_p": sampling.top_p, "top_k": None}
            if sampling.seed is not None:
                torch.manual_seed(sampling.seed)
        with torch.inference_mode():
            model.generate(
                **inputs,
                max_new_tokens=max(row.limit for row in rows),
                pad_token_id=self.tokenizer.pad_token_id,
                logits_processor=processors,
                stopping_criteria=StoppingCriteriaList([RowStopper(rows, width)]),
                streamer=streamer,
                **kwargs,
            )


def _at_most(lane: list[tuple[Job, Registered | None]], cap: int | None) -> list[list]:
    """`lane` cut, in order, into parts that each name at most `cap` adapters (so a part fits the working set)."""
    if cap is None:
        return [lane]
    parts: list[list] = [[]]
    seen: set[str] = set()
    for job, entry in lane:
        if entry is not None and entry.slot not in seen:
            if len(seen) == cap:
                parts.append([])
                seen = set()
            seen.add(entry.slot)
        parts[-1].append((job, entry))
    return parts


def _eos_ids(model, tokenizer) -> set[int]:
    """Every token that ends a reply: the generation config's EOS ids and the tokenizer's."""
    configured = model.generation_config.eos_token_id
    ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids
