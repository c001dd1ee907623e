"""The llama.cpp backend: the base as GGUF and adapters as GGUF LoRAs behind the same OpenAI API.

The tiny Llama here has init std 0.2, so its greedy replies change at every token and "the same reply as the
transformers backend" can only hold when llama.cpp computes what PyTorch does, adapter by adapter.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from openai import OpenAI

from tests.export.gguf_runs import varied_tiny_llama
from tests.serve.conftest import make_adapter_run
from tests.serve.live import LiveServer
from tunesmith.errors import InputError
from tunesmith.serve.adapters import plan
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.backends.base import Delta, Finish, GenerationRequest, Sampling
from tunesmith.serve.store import Store

KEY = "sk-test-0123456789"
QUESTIONS = ["hello there", "what is 2+2?", "tell me a story"]  # no near-tie (top-2 logits within 1e-3) on the way


@pytest.fixture(scope="module")
def setup(tmp_path_factory, smol_tokenizer):
    """The varied tiny model with adapters alpha and beta, and the transformers backend's greedy replies."""
    from tunesmith.serve.backends.transformers import TransformersBackend

    root = tmp_path_factory.mktemp("llama-cpp-serve")
    model = varied_tiny_llama(root, smol_tokenizer)
    runs = {name: make_adapter_run(root, name, model, seed) for name, seed in (("alpha", 1), ("beta", 2))}
    served = plan(str(model), [(name, str(run)) for name, run in runs.items()])
    reference = TransformersBackend(served)
    reference.start()
    try:
        expected = {(m, q): asyncio.run(answer(reference, m, q)) for m in (served.base_name, *runs) for q in QUESTIONS}
    finally:
        reference.close()
    return root, served, runs, expected


@pytest.fixture(scope="module")
def live(setup):
    """A server on the llama.cpp backend (f32 GGUF, so replies can equal PyTorch's) with alpha and beta."""
    from tunesmith.serve.backends.llama_cpp import LlamaCppBackend

    root, served, _, _ = setup
    backend = LlamaCppBackend(served, queue_size=8, quant="f32")
    store = Store(root / "log.db")
    with LiveServer(create_app(backend, store, ServerSettings(api_keys=(KEY,), max_tokens=64))) as server:
        yield server, backend, store
    store.close()


async def answer(backend, model: str, question: str, **sampling) -> tuple[str, str, int]:
    """(text, finish reason, tokens) of a chat request straight to a backend."""
    messages = [{"role": "user", "content": question}]
    request = GenerationRequest(
        model, max_tokens=12, messages=messages, sampling=Sampling(**{"temperature": 0.0, **sampling})
    )
    generation = backend.submit(request)
    parts, finish = [], None
    async for event in generation:
        if isinstance(event, Delta):
            parts.append(event.text)
        elif isinstance(event, Finish):
            finish = event
    return "".join(parts), finish.reason, finish.tokens


def client(live) -> OpenAI:
    return OpenAI(base_url=live[0].base_url, api_key=KEY, max_retries=0)


def test_greedy_replies_equal_the_transformers_backend_for_the_base_and_each_lora(setup, live):
    _, served, runs, expected = setup
    api = client(live)
    assert [m.id for m in api.models.list().data] == [served.base_name, "alpha", "beta"]
    ids = []
    for model in (served.base_name, "alpha", "beta"):
        for question in QUESTIONS:
            reply = api.chat.completions.create(
                model=model, messages=[{"role": "user", "content": question}], max_tokens=12, temperature=0
            )
            text, reason, tokens = expected[(model, question)]
            assert (reply.choices[0].message.content, reply.choices[0].finish_reason) == (text, reason)
            assert reply.usage.completion_tokens == tokens
            ids.append(reply.id)
    assert len({expected[(m, QUESTIONS[0])][0] for m in (served.base_name, *runs)}) == 3  # adapters change replies
    assert [r.id for r in live[2].query()][-len(ids) :] == ids  # every request is in the log, as with transformers


def test_a_streamed_reply_is_the_same_text_in_pieces(setup, live):
    _, served, _, expected = setup
    stream = client(live).chat.completions.create(
        model="beta", messages=[{"role": "user", "content": QUESTIONS[1]}], max_tokens=12, temperature=0, stream=True
    )
    pieces = [chunk.choices[0].delta.content for chunk in stream if chunk.choices and chunk.choices[0].delta.content]
    assert len(pieces) > 1 and "".join(pieces) == expected[("beta", QUESTIONS[1])][0]


def test_json_schema_and_required_tool_calls_are_held_to_their_grammar(setup, live):
    _, served, _, _ = setup
    api = client(live)
    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string", "maxLength": 8}, "n": {"type": "integer"}},
        "required": ["colour", "n"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "thing", "schema": schema}}
    reply = api.chat.completions.create(
        model="alpha",
        messages=[{"role": "user", "content": "a colour"}],
        max_tokens=40,
        temperature=0,
        response_format=fmt,
    )
    value = json.loads(reply.choices[0].message.content)  # the random model writes JSON only because it must
    assert set(value) == {"colour", "n"} and isinstance(value["n"], int) and len(value["colour"]) <= 8

    tool = {"type": "function", "function": {"name": "lookup", "parameters": schema}}
    called = api.chat.completions.create(
        model=served.base_name,
        messages=[{"role": "user", "content": "look it up"}],
        tools=[tool],
        tool_choice="required",
        max_tokens=48,
        temperature=0,
    )
    (call,) = called.choices[0].message.tool_calls
    assert call.function.name == "lookup" and set(json.loads(call.function.arguments)) == {"colour", "n"}


def test_stop_strings_cut_the_reply_and_seeded_sampling_repeats(setup, live):
    _, served, _, expected = setup
    api = client(live)
    greedy = expected[(served.base_name, QUESTIONS[0])][0]
    stop = greedy.split()[2]
    messages = [{"role": "user", "content": QUESTIONS[0]}]
    cut = api.chat.completions.create(
        model=served.base_name, messages=messages, max_tokens=12, temperature=0, stop=[stop]
    )
    assert cut.choices[0].message.content == greedy[: greedy.index(stop)] and cut.choices[0].finish_reason == "stop"

    def sampled(seed: int) -> list[str]:
        reply = api.chat.completions.create(
            model="alpha", messages=messages, max_tokens=12, temperature=1.0, seed=seed, n=2
        )
        return [choice.message.content for choice in reply.choices]

    first = sampled(7)
    assert sampled(7) == first and first[0] != first[1]  # the seed fixes the draw; the choices are separate draws


def test_adapters_load_and_unload_while_serving(setup, live):
    _, served, runs, expected = setup
    backend = live[1]
    backend.load_adapter("gamma", str(runs["alpha"]))
    assert asyncio.run(answer(backend, "gamma", QUESTIONS[2])) == expected[("alpha", QUESTIONS[2])]
    with pytest.raises(InputError, match="already taken"):
        backend.load_adapter("gamma", str(runs["beta"]))
    backend.unload_adapter("gamma")
    assert "gamma" not in [m.name for m in backend.models()]
    assert asyncio.run(answer(backend, served.base_name, QUESTIONS[2])) == expected[(served.base_name, QUESTIONS[2])]


def test_a_gguf_given_as_the_base_is_served_as_it_is(setup):
    from tunesmith.serve.backends.gguf_files import base_gguf
    from tunesmith.serve.backends.llama_cpp import LlamaCppBackend

    _, served, _, expected = setup
    given = base_gguf(served.base, "f32")
    backend = LlamaCppBackend(plan(served.base, []), gguf=given)
    backend.start()
    try:
        assert backend.model_file == given
        assert (
            asyncio.run(answer(backend, served.base_name, QUESTIONS[0])) == expected[(served.base_name, QUESTIONS[0])]
        )
    finally:
        backend.close()


def test_conversions_are_cached_and_redone_when_the_adapter_changes(setup, monkeypatch, tmp_path):
    import tunesmith.export.gguf as gguf
    from tunesmith.serve.backends.gguf_files import base_gguf, lora_gguf

    root, served, runs, _ = setup
    first = base_gguf(served.base, "f32"), lora_gguf(runs["alpha"] / "final", served.base)
    monkeypatch.setattr(gguf, "convert", lambda *a, **k: pytest.fail("converted again"))
    assert (base_gguf(served.base, "f32"), lora_gguf(runs["alpha"] / "final", served.base)) == first

    retrained = make_adapter_run(tmp_path, "alpha", served.base, seed=3)  # same name, new weights
    calls = []

    def failing(script, args, what, progress):
        calls.append(args)
        raise RuntimeError("the converter stopped half-way")

    monkeypatch.setattr(gguf, "convert", failing)
    with pytest.raises(RuntimeError, match="half-way"):
        lora_gguf(retrained / "final", served.base)
    assert len(calls) == 1 and str(retrained / "final") in calls[0]  # new weights: not the cached conversion
    cache = first[1].parent.parent
    assert not [p for p in cache.iterdir() if p.name.startswith("final-") and not (p / "lora-f16.gguf").is_file()]
    assert not list(cache.glob(".*.tmp"))  # the failed conversion left nothing behind


def test_adapters_llama_cpp_cannot_apply_are_refused_naming_the_method(setup, tmp_path):
    import torch
    import yaml
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from tunesmith.serve.backends.gguf_files import lora_gguf

    _, served, _, _ = setup
    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", use_dora=True)
    get_peft_model(AutoModelForCausalLM.from_pretrained(served.base), config).save_pretrained(tmp_path / "dora")
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump({"model": served.base}))
    with pytest.raises(InputError, match="DoRA.*--backend transformers"):
        lora_gguf(tmp_path / "dora", served.base)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"backend": "llama"}, "expected one of transformers, vllm, llama.cpp"),
        ({"quant": "q8_0"}, "only the llama.cpp backend serves GGUF"),
        ({"backend": "llama.cpp", "quant": "q3_x"}, "unknown quant type"),
        ({"backend": "llama.cpp", "max_batch": 4}, "one request at a time"),
        ({"backend": "llama.cpp", "gguf": Path("/nowhere/model.gguf")}, "no such file"),
    ],
)
def test_serve_options_for_the_backend_are_checked_before_anything_loads(setup, options, message):
    from tunesmith.serve import launch

    _, served, _, _ = setup
    with pytest.raises(InputError, match=message):
        launch.local_backend(launch.ServeOptions(model=served.base, **options))


def test_pick_is_argmax_when_greedy_and_keeps_to_the_nucleus_when_sampling():
    from tunesmith.serve.backends.llama_cpp import pick

    logits = np.array([1.0, 3.0, 3.0, 0.5, 2.9], dtype=np.float32)
    assert pick(logits, Sampling(temperature=0.0), np.random.default_rng(0)) == 1  # first of the tied maxima
    rng = np.random.default_rng(0)
    drawn = {pick(logits, Sampling(temperature=1.0, top_p=0.5), rng) for _ in range(200)}
    assert drawn == {1, 2}  # 1 and 2 hold about 0.29 each: together they reach top_p, so 4 never is drawn
    everything = {pick(logits, Sampling(temperature=1.0), rng) for _ in range(400)}
    assert everything == {0, 1, 2, 3, 4}


@pytest.mark.slow
def test_the_default_model_in_llama_cpp_answers_like_transformers(tmp_path):
    """SmolLM2-135M as an f16 GGUF: the greedy reply the transformers backend gives, and valid JSON on request."""
    from tunesmith.serve.backends.llama_cpp import LlamaCppBackend
    from tunesmith.serve.backends.transformers import TransformersBackend

    served = plan("smollm2-135m", [])
    question = "What is the capital of France? Answer in one word."
    reference = TransformersBackend(served)
    reference.start()
    try:
        expected = asyncio.run(answer(reference, "smollm2-135m", question))
    finally:
        reference.close()
    backend = LlamaCppBackend(served)
    store = Store(tmp_path / "log.db")
    with LiveServer(create_app(backend, store)) as server:
        api = OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
        messages = [{"role": "user", "content": question}]
        reply = api.chat.completions.create(model="smollm2-135m", messages=messages, max_tokens=12, temperature=0)
        assert reply.choices[0].message.content == expected[0] and "Paris" in expected[0]
        fmt = {
            "type": "json_schema",
            "json_schema": {
                "name": "c",
                "schema": {
                    "type": "object",
                    "properties": {"city": {"type": "string", "maxLength": 20}},
                    "required": ["city"],
                },
            },
        }
        place = api.chat.completions.create(
            model="smollm2-135m", messages=messages, max_tokens=24, temperature=0, response_format=fmt
        )
        assert set(json.loads(place.choices[0].message.content)) == {"city"}
    store.close()
