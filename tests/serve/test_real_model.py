"""The real default model behind the server answers exactly as it does without the server."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_default_model_served_answers_like_plain_transformers(tmp_path, smol_dir):
    import json

    from openai import OpenAI

    from tests.serve.live import LiveServer
    from tunesmith.models.generate import generate
    from tunesmith.models.loading import load_for_inference, source_for
    from tunesmith.serve.adapters import plan
    from tunesmith.serve.app import create_app
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.store import Store

    question = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]
    model, tokenizer = load_for_inference(source_for("smollm2-135m"))
    expected = generate(model, tokenizer, [question], max_new_tokens=24)[0]

    store = Store(tmp_path / "log.db")
    with LiveServer(create_app(TransformersBackend(plan("smollm2-135m", [])), store)) as live:
        client = OpenAI(base_url=live.base_url, api_key="unused", max_retries=0)
        reply = client.chat.completions.create(model="smollm2-135m", messages=question, max_tokens=24, temperature=0)
        assert reply.choices[0].message.content.strip() == expected
        assert "Paris" in expected

        schema = {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 20}, "country": {"type": "string", "maxLength": 20}},
            "required": ["city", "country"],
        }
        fmt = {"type": "json_schema", "json_schema": {"name": "place", "schema": schema}}
        ask = [{"role": "user", "content": "Name the capital of France and its country as JSON."}]
        place = client.chat.completions.create(
            model="smollm2-135m", messages=ask, max_tokens=48, temperature=0, response_format=fmt
        )
        assert set(json.loads(place.choices[0].message.content)) == {"city", "country"}
    assert [r.id for r in store.query()] == [reply.id, place.id]
    store.close()
