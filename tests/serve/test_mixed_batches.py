"""Requests for different LoRA adapters (and the base) with the same sampling share one forward pass, through PEFT's
per-row `adapter_names`, and each answers exactly as it does alone; adapters PEFT cannot mix batch per adapter."""

from __future__ import annotations

import asyncio

import pytest
from peft import LoraConfig

from tests.serve.conftest import make_adapter_run
from tunesmith.serve.adapters import plan
from tunesmith.serve.backends.base import Delta, GenerationRequest, Sampling
from tunesmith.serve.backends.peft_groups import BASE_ROW

PROMPTS = ["hi", "What is the capital of France, please?", "2 + 3 =", "Tell me a story about a cat"]


def request(model: str, prompt: str, n: int = 1, temperature: float = 0.0) -> GenerationRequest:
    return GenerationRequest(model, max_tokens=8, n=n, prompt=prompt, sampling=Sampling(temperature, seed=7))


async def texts(generation) -> tuple[str, ...]:
    parts = [""] * generation.n
    async for event in generation:
        if isinstance(event, Delta):
            parts[event.index] += event.text
    return tuple(parts)


async def together(backend, requests: list[GenerationRequest]) -> list[tuple[str, ...]]:
    """Queue every request before the worker starts, so they meet in the queue; then start it."""
    generations = [backend.submit(r) for r in requests]
    backend.start()
    return [await texts(g) for g in generations]


async def one_by_one(backend, requests: list[GenerationRequest]) -> list[tuple[str, ...]]:
    return [await texts(backend.submit(r)) for r in requests]


@pytest.fixture(scope="module")
def lora_runs(tmp_path_factory, tiny_model_dir):
    """Four plain LoRA adapters and a DoRA one, random non-zero weights."""
    root = tmp_path_factory.mktemp("mixed")
    runs = {f"lora{i}": make_adapter_run(root, f"lora{i}", tiny_model_dir, seed=10 + i) for i in range(4)}
    dora = make_adapter_run(root, "dora", tiny_model_dir, seed=20)
    config = LoraConfig.from_pretrained(dora / "final")
    assert not config.use_dora
    patched = (dora / "final" / "adapter_config.json").read_text().replace('"use_dora": false', '"use_dora": true')
    (dora / "final" / "adapter_config.json").write_text(patched)  # DoRA's magnitude starts from the base: it loads
    return runs | {"dora": dora}


def recording(backend):
    """`backend`, with `calls`: the served names (BASE_ROW for the base) of each `generate` call's rows."""
    backend.calls = []
    generate = backend._generate

    def spy(slots, *args):
        by_slot = {entry.slot: name for name, entry in backend.adapters.items()}
        backend.calls.append([by_slot.get(slot, BASE_ROW) for slot in slots])
        return generate(slots, *args)

    backend._generate = spy
    return backend


@pytest.fixture
def backend(lora_runs, tiny_model_dir):
    from tunesmith.serve.backends.transformers import TransformersBackend

    served = plan(str(tiny_model_dir), [(name, str(run)) for name, run in lora_runs.items()])
    backend = recording(TransformersBackend(served, max_batch=16, mix_adapters=True))
    yield backend
    backend.close()


def test_a_mixed_batch_answers_each_request_as_it_answers_alone(backend):
    base = backend.base_name
    models = ["lora0", "lora1", base, "lora2", "lora3", "lora0", base, "lora1"]
    requests = [request(m, PROMPTS[i % len(PROMPTS)]) for i, m in enumerate(models)]
    mixed = asyncio.run(together(backend, requests))
    assert backend.calls == [[m if m != base else BASE_ROW for m in models]]  # one forward pass for all eight
    backend.calls.clear()
    alone = asyncio.run(one_by_one(backend, requests))
    assert mixed == alone and len(backend.calls) == len(requests)
    assert len({a for a, m in zip(alone, models) if m in ("lora0", "lora1", base) and a}) >= 2  # not one answer


def test_several_choices_and_sampled_requests_mix_too(backend):
    requests = [request("lora0", "hi", n=2), request("lora1", "hi", n=2), request(backend.base_name, "hi")]
    requests += [request("lora2", "2 + 3 =", temperature=0.8), request("lora3", "2 + 3 =", temperature=0.8)]
    mixed = asyncio.run(together(backend, requests))
    assert backend.calls == [["lora0", "lora0", "lora1", "lora1", BASE_ROW], ["lora2", "lora3"]]  # by sampling
    assert all(len(choices) == r.n for choices, r in zip(mixed, requests))
    backend.calls.clear()
    assert asyncio.run(one_by_one(backend, requests[:3])) == mixed[:3]  # greedy: equal alone


def test_adapters_peft_cannot_mix_batch_per_adapter(backend):
    base = backend.base_name
    models = ["lora0", "dora", base, "dora", "lora1"]
    requests = [request(m, PROMPTS[i % len(PROMPTS)]) for i, m in enumerate(models)]
    mixed = asyncio.run(together(backend, requests))
    assert sorted(backend.calls) == sorted([["lora0", BASE_ROW, "lora1"], ["dora", "dora"]])
    assert mixed == asyncio.run(one_by_one(backend, requests))


def test_jobs_carry_a_mixed_key_for_the_base_and_plain_lora(backend):
    async def keys():
        for model in ("lora0", backend.base_name, "dora"):
            backend.submit(request(model, "hi"))
        return [job.key[0] for job in backend.queue._waiting]

    assert asyncio.run(keys()) == ["mixed", "mixed", "dora"]


def test_with_mixing_off_every_adapter_batches_alone(lora_runs, tiny_model_dir):
    from tunesmith.serve.backends.transformers import TransformersBackend

    served = plan(str(tiny_model_dir), [(name, str(run)) for name, run in lora_runs.items()])
    backend = recording(TransformersBackend(served, max_batch=16, mix_adapters=False))
    try:
        models = ["lora0", "lora1", backend.base_name, "lora0"]
        requests = [request(m, PROMPTS[i % len(PROMPTS)]) for i, m in enumerate(models)]
        answers = asyncio.run(together(backend, requests))
        assert backend.calls == [["lora0", "lora0"], ["lora1"], [BASE_ROW]]
        assert answers == asyncio.run(one_by_one(backend, requests))
    finally:
        backend.close()
