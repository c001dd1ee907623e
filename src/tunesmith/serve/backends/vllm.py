"""The vLLM backend (`--backend vllm`): the base on a CUDA GPU, PEFT LoRA adapters through vLLM's multi-LoRA.

vLLM's AsyncLLMEngine batches continuously across requests and adapters: each request names its adapter with a
`LoRARequest`, and the base weights stay one shared copy. LocalBackend renders the prompt with the model's chat
template, as for the transformers backend, so both backends feed the model the same tokens. vLLM and a CUDA GPU
are optional: without either, `require_vllm` stops at once with an InputError. Written against vLLM's documented
AsyncLLM API (v0.12+: `StructuredOutputsParams`, `RequestOutputKind.DELTA`); not yet run on a GPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import uuid
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.serve.adapters import ServePlan
from tunesmith.serve.backends.base import Delta, Finish, Generation, GenerationRequest
from tunesmith.serve.backends.local import LocalBackend
from tunesmith.serve.backends.tasks import RunningTasks
from tunesmith.serve.constrained import call_schema
from tunesmith.serve.errors import APIError, invalid
from tunesmith.serve.response_format import requested_json

log = logging.getLogger("tunesmith.serve")
LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)  # the values vLLM accepts for max_lora_rank


def vllm_installed() -> bool:
    return importlib.util.find_spec("vllm") is not None


def require_vllm() -> None:
    """Stop unless vLLM is installed and a CUDA GPU is visible (checked before anything loads)."""
    if not vllm_installed():
        raise InputError(
            "--backend vllm",
            "vLLM is not installed; on a CUDA machine run `pip install vllm`, or use --backend transformers",
        )
    import torch

    if not torch.cuda.is_available():
        raise InputError("--backend vllm", "needs a CUDA GPU and none is visible; use --backend transformers here")


class VLLMBackend(LocalBackend):
    """Serves `served.base` under its name and each adapter under its own, with vLLM on one GPU."""

    def __init__(self, served: ServePlan, queue_size: int = 64, max_batch: int | None = None):
        require_vllm()
        from vllm import AsyncEngineArgs, AsyncLLMEngine

        super().__init__(served)
        self.running = RunningTasks(queue_size)
        args = {"model": served.base, "enable_lora": True, "max_lora_rank": lora_rank(list(served.adapters.values()))}
        args["max_loras"] = max(2, len(served.adapters))  # adapters in one batch; requests for others wait a step
        if max_batch is not None:
            args["max_num_seqs"] = max_batch
        self.engine = AsyncLLMEngine.from_engine_args(AsyncEngineArgs(**args))
        self.max_len = self.engine.model_config.max_model_len
        self._next_id = 1  # vLLM wants a unique positive integer id per adapter
        self.loop: asyncio.AbstractEventLoop | None = None
        for name, folder in served.adapters.items():  # vLLM loads these on their first request
            self.adapters[name] = self._lora(name, folder)

    # -- the Backend interface

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()

    def close(self) -> None:
        self.running.stop()
        self.engine.shutdown()

    def queue_depth(self) -> int:
        return len(self.running)

    def submit(self, request: GenerationRequest) -> Generation:
        self.check_model(request.model)
        self.running.check_room()
        prompt_ids = self.prompt_ids(request)
        params = sampling_params(request)
        generation = Generation(request.n, prompt_tokens=len(prompt_ids))
        lora = self.adapters.get(request.model)
        self.running.run(self._generate(prompt_ids, params, lora, generation), generation)
        return generation

    # -- internals

    def _attach(self, name: str, folder: Path) -> None:
        lora = self._lora(name, folder)
        try:
            self._on_loop(self.engine.add_lora(lora))  # load now, so a broken adapter fails here, not per request
        except Exception as exc:
            raise InputError(str(folder), f"vLLM could not load this adapter onto {self.base_name}: {exc}") from None
        self.adapters[name] = lora

    def _detach(self, name: str) -> None:
        lora = self.adapters.pop(name)
        self._on_loop(self.engine.remove_lora(lora.lora_int_id))

    def _lora(self, name: str, folder: Path):
        from vllm.lora.request import LoRARequest

        lora = LoRARequest(name, self._next_id, str(folder))
        self._next_id += 1
        return lora

    def _on_loop(self, coroutine) -> None:
        """Run an engine coroutine on the server's loop from the admin thread (or directly before it starts)."""
        if self.loop is None:
            asyncio.run(coroutine)
        else:
            asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _generate(self, prompt_ids: list[int], params, lora, generation: Generation) -> None:
        """Stream vLLM's delta outputs into `generation`; stop (and abort in vLLM) when the client leaves."""
        tokens = [0] * generation.n
        stream = self.engine.generate({"prompt_token_ids": prompt_ids}, params, uuid.uuid4().hex, lora_request=lora)
        try:
            async with contextlib.aclosing(stream):  # closing the generator aborts the request inside vLLM
                async for output in stream:
                    for choice in output.outputs:
                        tokens[choice.index] += len(choice.token_ids)
                        if choice.text:
                            generation.push(Delta(choice.index, choice.text))
                        if choice.finish_reason is not None:
                            reason = "length" if choice.finish_reason == "length" else "stop"
                            generation.push(Finish(choice.index, reason, tokens[choice.index]))
                    if generation.cancelled.is_set():
                        return
        except asyncio.CancelledError:
            raise
        except ValueError as exc:  # vLLM's request validation errors are ValueErrors
            generation.fail(invalid(str(exc)))
        except Exception:
            log.exception("vLLM generation failed")
            generation.fail(APIError(500, "The model failed to generate a reply.", type="server_error"))


def sampling_params(request: GenerationRequest):
    """vLLM's SamplingParams for a request: deltas (not the whole text so far) each step, structured output."""
    from vllm import SamplingParams
    from vllm.sampling_params import RequestOutputKind

    sampling = request.sampling
    return SamplingParams(
        n=request.n,
        max_tokens=request.max_tokens,
        temperature=sampling.temperature,
        top_p=sampling.top_p,
        stop=list(sampling.stop) or None,
        seed=sampling.seed,
        output_kind=RequestOutputKind.DELTA,
        structured_outputs=structured_outputs(sampling.output_format(), sampling.forced_tools),
    )


def structured_outputs(response_format: dict | None, forced_tools: str | None = None):
    """vLLM's StructuredOutputsParams for an OpenAI `response_format`, or for a required tool call (a bare JSON
    call, which serve/tools.py parses like a tagged one); None for plain text. Never run: no GPU here."""
    kind, schema = requested_json(response_format)
    if kind == "text" and forced_tools is None:
        return None
    from vllm.sampling_params import StructuredOutputsParams

    if forced_tools is not None:
        return StructuredOutputsParams(json=call_schema(json.loads(forced_tools)))

    if kind == "json_object":
        return StructuredOutputsParams(json_object=True)
    return StructuredOutputsParams(json=schema)


def lora_rank(folders: list[Path], least: int = 16) -> int:
    """The smallest rank vLLM accepts that fits every adapter's `r` (and any `rank_pattern`), at least `least`."""
    needed = least
    for folder in folders:
        config = json.loads((Path(folder) / "adapter_config.json").read_text())
        needed = max(needed, int(config.get("r") or 0), *[int(r) for r in (config.get("rank_pattern") or {}).values()])
    for rank in LORA_RANKS:
        if rank >= needed:
            return rank
    raise InputError(str(folders[-1]), f"adapter rank {needed} is above vLLM's largest ({LORA_RANKS[-1]})")
