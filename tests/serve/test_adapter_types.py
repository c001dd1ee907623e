"""Every method tunesmith trains is served: each adapter type beside the others on one base, whole-model runs as
their own model, each answering exactly as the trained model loaded directly, never as the plain base."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import save_tiny_llama
from tests.serve.trained import ADAPTERS, MODELS, PREFIX_METHODS, PROMPTS, direct_answer, train_run
from tunesmith.models.prefix import cache_argument
from tunesmith.serve.adapters import plan
from tunesmith.serve.backends.base import Delta, GenerationRequest, Sampling
from tunesmith.serve.backends.peft_groups import BOTTLENECK, adapter_kind


async def answer(backend, model: str, prompt: str) -> str:
    generation = backend.submit(GenerationRequest(model, max_tokens=6, prompt=prompt, sampling=Sampling(0.0)))
    return "".join([e.text async for e in generation if isinstance(e, Delta)])


async def answers(backend, models: list[str]) -> list[tuple[str, ...]]:
    """Each model's answers to PROMPTS, all requests in flight at once (they interleave in the queue)."""
    got = await asyncio.gather(*(answer(backend, m, p) for m in models for p in PROMPTS))
    return [tuple(got[i : i + len(PROMPTS)]) for i in range(0, len(got), len(PROMPTS))]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model_dir):
    """A briefly trained run of every adapter method on the tiny model."""
    root = tmp_path_factory.mktemp("trained")
    return {name: train_run(root, name, tiny_model_dir, cfg) for name, cfg in ADAPTERS.items()}


@pytest.fixture(scope="module")
def expected(runs, tiny_model_dir):
    """Each method's greedy answer from the trained model loaded directly, and the base's."""
    found = {name: direct_answer(tiny_model_dir, run / "final") for name, run in runs.items()}
    for name in PREFIX_METHODS:  # PEFT's generate drops the prefix; the model's own forward pass keeps it
        found[name] = direct_answer(tiny_model_dir, runs[name] / "final", by_forward=True)
    return found | {"base": direct_answer(tiny_model_dir, None)}


@pytest.fixture(scope="module")
def backend(runs, tiny_model_dir):
    """Every adapter method at once on one tiny base."""
    from tunesmith.serve.backends.transformers import TransformersBackend

    served = TransformersBackend(plan(str(tiny_model_dir), [(n, str(run)) for n, run in runs.items()]), queue_size=128)
    served.start()
    yield served
    served.close()


def test_each_adapter_method_answers_as_the_trained_model_and_never_as_the_base(backend, expected):
    got = {name: asyncio.run(answers(backend, [name]))[0] for name in ADAPTERS}
    assert got == {name: expected[name] for name in ADAPTERS}
    assert asyncio.run(answers(backend, [backend.base_name])) == [expected["base"]]
    assert [n for n in ADAPTERS if expected[n] == expected["base"]] == []  # so a fallback to the base would show


def test_adapters_of_every_type_answer_interleaved_requests(backend, expected):
    order = [*ADAPTERS, backend.base_name, *reversed(ADAPTERS), "lora", "ia3", "prompt_tuning", "lora", "adapter"]
    got = asyncio.run(answers(backend, order))
    assert got == [expected["base" if m == backend.base_name else m] for m in order]


def test_adapter_types_are_grouped_so_peft_can_hold_them(backend):
    groups = backend.attached.groups
    assert len(groups["LORA"].names) == 2  # plain LoRA and DoRA share one PeftModel
    alone = [key for key in groups if ":" in key]  # groups of one: PiSSA's private weights, the bottleneck's hooks
    assert alone == [f"LORA:{backend.adapters['pissa'].slot}", f"{BOTTLENECK}:{backend.adapters['adapter'].slot}"]
    assert {k.split(":")[0] for k in groups} >= {"ADALORA", "IA3", "LOHA", "LOKR", "OFT", "BOFT", "VERA", "LN_TUNING"}
    assert len(groups["PREFIX_TUNING"].names) == 2  # prefix tuning and P-tuning v2
    base_weight = backend.model.get_input_embeddings().weight
    for key, group in groups.items():  # every group but PiSSA's (which rewrites the base weights) shares them
        shared = any(p is base_weight for p in group.model.parameters())
        assert shared == (key != f"LORA:{backend.adapters['pissa'].slot}")
    assert [adapter_kind(backend.adapters[n].folder).mixable for n in ("lora", "dora", "ia3")] == [True, False, False]


def test_unloading_each_type_leaves_the_others_and_the_base(runs, tiny_model_dir, expected):
    from tunesmith.serve.backends.transformers import TransformersBackend

    names = ["lora", "dora", "ia3", "prefix_tuning", "adapter"]
    served = TransformersBackend(plan(str(tiny_model_dir), [(n, str(runs[n])) for n in names]))
    served.start()
    try:
        for gone in names:
            served.unload_adapter(gone)
            left = names[names.index(gone) + 1 :]
            assert asyncio.run(answers(served, [*left, served.base_name])) == [expected[n] for n in [*left, "base"]]
        assert not served.attached.groups
    finally:
        served.close()


def test_peft_generate_still_drops_prefixes(runs, tiny_model_dir, expected):
    """Why prefix tuning is generated by models/prefix.py: when this fails, PEFT's `generate` keeps the
    prefix again, and the backend may hand prefix tuning back to it."""
    by_generate = direct_answer(tiny_model_dir, runs["prefix_tuning"] / "final")
    assert by_generate == expected["base"] != expected["prefix_tuning"]
    from transformers import AutoModelForCausalLM

    assert cache_argument(AutoModelForCausalLM.from_pretrained(tiny_model_dir)) == "cache"


@pytest.mark.parametrize("method", list(MODELS))
def test_whole_model_runs_are_served_as_their_own_model(method, tmp_path, tiny_model_dir, smol_tokenizer):
    from tunesmith.serve.backends.transformers import TransformersBackend

    base = tiny_model_dir
    if method == "bitfit":  # BitFit trains bias terms: a tiny Llama that has them
        base = save_tiny_llama(tmp_path / "biased", smol_tokenizer, attention_bias=True, mlp_bias=True)
    run = train_run(tmp_path, method, base, MODELS[method])
    served = plan(str(run), [])
    assert (served.base, served.base_name, served.adapters) == (str(run / "final"), method, {})
    backend = TransformersBackend(served)
    backend.start()
    try:
        got = asyncio.run(answers(backend, [method]))[0]
    finally:
        backend.close()
    assert got == direct_answer(run / "final", None) != direct_answer(base, None)
