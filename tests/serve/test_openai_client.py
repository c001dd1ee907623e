"""The official openai client against a live server on the tiny model with two adapters."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.serve.conftest import ADMIN_KEY

QUESTION = [{"role": "user", "content": "Hello there"}]
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 8},
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
        "city": {"enum": ["Paris", "Berlin", "Tokyo"]},
    },
    "required": ["name", "age", "city"],
    "additionalProperties": False,
}


def reference(model_dir, adapter_dir=None, messages=None, prompt=None, max_new_tokens=12) -> str:
    """What plain transformers (and PEFT, for an adapter) answers greedily, without the server."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    if adapter_dir is not None:
        model = PeftModel.from_pretrained(model, adapter_dir)
    if messages is not None:
        enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    else:
        enc = tokenizer(prompt, return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(out[0, enc["input_ids"].shape[1] :], skip_special_tokens=True)


def chat(client, model, max_tokens=12, **kw):
    return client.chat.completions.create(model=model, messages=QUESTION, max_tokens=max_tokens, temperature=0, **kw)


def test_models_lists_base_then_adapters(client, served):
    models = client.models.list().data
    assert [m.id for m in models] == [served.base_name, "alpha", "beta"]
    assert [getattr(m, "parent", None) for m in models] == [None, served.base_name, served.base_name]


def test_base_and_adapters_answer_as_plain_transformers_and_peft(client, served, tiny_model_dir, adapter_runs):
    answers = {}
    for name in (served.base_name, "alpha", "beta"):
        reply = chat(client, name)
        answers[name] = reply.choices[0].message.content
        assert reply.model == name
        assert reply.choices[0].finish_reason == "length"
        assert reply.usage.completion_tokens == 12
    assert answers[served.base_name] == reference(tiny_model_dir, messages=QUESTION)
    assert answers["alpha"] == reference(tiny_model_dir, adapter_runs["alpha"] / "final", messages=QUESTION)
    assert answers["beta"] == reference(tiny_model_dir, adapter_runs["beta"] / "final", messages=QUESTION)
    assert len(set(answers.values())) == 3  # two adapters on one base answer differently, and unlike the base

    text = client.completions.create(model=served.base_name, prompt="Capital of France?", max_tokens=12, temperature=0)
    assert text.choices[0].text == reference(tiny_model_dir, prompt="Capital of France?")


def test_adapters_share_the_base_weights(served):
    """Two adapters add only their LoRA weights: one copy of the base sits in memory."""
    model = served.backend.attached.groups["LORA"].model  # one PeftModel holds both, on the base's own tensors
    assert {id(p) for n, p in model.named_parameters() if "lora_" not in n} == {
        id(p) for p in served.backend.model.parameters()
    }
    base = sum(p.numel() for n, p in model.named_parameters() if "lora_" not in n)
    lora = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    import transformers

    plain = transformers.AutoModelForCausalLM.from_pretrained(served.backend.base_path)
    assert base == sum(p.numel() for p in plain.parameters())
    assert 0 < lora < base / 10


def test_stream_reassembles_into_the_whole_answer(client):
    whole = chat(client, "alpha", max_tokens=16)
    chunks = list(chat(client, "alpha", max_tokens=16, stream=True, stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["length"]
    assert chunks[-1].usage.completion_tokens == 16 and chunks[-1].usage.prompt_tokens == whole.usage.prompt_tokens
    assert len({c.id for c in chunks}) == 1

    streamed = client.completions.create(model="beta", prompt="hi", max_tokens=8, temperature=0, stream=True)
    whole_text = client.completions.create(model="beta", prompt="hi", max_tokens=8, temperature=0).choices[0].text
    assert "".join(c.choices[0].text for c in streamed) == whole_text


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_json_schema_output_is_valid_even_from_a_random_model(client, temperature):
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON, "strict": True}}
    reply = client.chat.completions.create(
        model="beta", messages=QUESTION, max_tokens=64, temperature=temperature, n=3, seed=7, response_format=fmt
    )
    assert len(reply.choices) == 3
    for choice in reply.choices:
        person = json.loads(choice.message.content)
        assert set(person) == {"name", "age", "city"}
        assert isinstance(person["name"], str) and len(person["name"]) <= 8
        assert isinstance(person["age"], int) and 0 <= person["age"] <= 120
        assert person["city"] in ("Paris", "Berlin", "Tokyo")
        assert choice.finish_reason == "stop"


def test_json_object_output_is_an_object(client, served):
    reply = chat(client, served.base_name, max_tokens=48, response_format={"type": "json_object"})
    if reply.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(reply.choices[0].message.content), dict)
    else:  # cut by max_tokens: still the start of an object
        assert reply.choices[0].message.content.startswith("{")


def test_stop_string_ends_the_answer_before_it(client):
    full = chat(client, "alpha", max_tokens=16).choices[0].message.content
    stop = full[5:8]
    cut = chat(client, "alpha", max_tokens=16, stop=[stop])
    assert cut.choices[0].message.content == full[: full.index(stop)]
    assert cut.choices[0].finish_reason == "stop"
    streamed = chat(client, "alpha", max_tokens=16, stop=[stop], stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == full[: full.index(stop)]


def test_seed_makes_sampling_repeatable(client):
    def sample(seed):
        reply = client.chat.completions.create(
            model="alpha", messages=QUESTION, max_tokens=10, temperature=1.0, n=2, seed=seed
        )
        return [c.message.content for c in reply.choices]

    assert sample(11) == sample(11)
    assert sample(11) != sample(12)


def test_concurrent_requests_are_batched_and_answered_as_alone(client, served):
    prompts = ["hi", "Capital of France?", "What is 2 + 3?"]
    alone = {p: _complete(client, p) for p in prompts}
    results: dict[str, str] = {}
    with served.backend.lock:  # hold the model so that all three wait, then run as one batch
        threads = [threading.Thread(target=lambda p=p: results.__setitem__(p, _complete(client, p))) for p in prompts]
        for t in threads:
            t.start()
        _wait_for(lambda: served.backend.queue_depth() == 3)
    for t in threads:
        t.join(60)
    assert results == alone


def _complete(client, prompt):
    return client.completions.create(model="alpha", prompt=prompt, max_tokens=8, temperature=0).choices[0].text


def _wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def test_queue_full_is_429(client, served):
    import openai

    results = []
    with served.backend.lock:
        threads = [threading.Thread(target=lambda: results.append(_complete(client, "hi"))) for _ in range(4)]
        for t in threads:
            t.start()
        _wait_for(lambda: served.backend.queue_depth() == 4)
        with pytest.raises(openai.RateLimitError) as caught:
            _complete(client, "hi")
    for t in threads:
        t.join(60)
    assert caught.value.status_code == 429
    assert caught.value.body["code"] == "queue_full"
    assert len(results) == 4 and len(set(results)) == 1


def test_adapters_load_and_unload_at_run_time(client, served, adapter_runs):
    import httpx
    import openai

    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    loaded = httpx.post(
        f"{served.root}/admin/adapters", json={"name": "gamma", "path": str(adapter_runs["alpha"])}, headers=headers
    )
    assert loaded.status_code == 200, loaded.text
    assert "gamma" in [m.id for m in client.models.list().data]
    assert chat(client, "gamma").choices[0].message.content == chat(client, "alpha").choices[0].message.content

    assert httpx.delete(f"{served.root}/admin/adapters/gamma", headers=headers).status_code == 200
    assert "gamma" not in [m.id for m in client.models.list().data]
    with pytest.raises(openai.NotFoundError):
        chat(client, "gamma")
    assert httpx.delete(f"{served.root}/admin/adapters/gamma", headers=headers).status_code == 404
