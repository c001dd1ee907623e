"""Every answered request is logged exactly once, with tokens, before the client has the full answer."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from tests.serve.conftest import KEY
from tunesmith.serve.logfilter import LogFilter

HI = [{"role": "user", "content": "hi"}]


def test_every_request_is_logged_once_with_its_tokens(client, served):
    before = {r.id for r in served.store.query()}
    chat = client.chat.completions.create(
        model="alpha",
        messages=HI,
        max_tokens=6,
        temperature=0,
        extra_body={"tags": ["smoke", "t1"]},
        metadata={"team": "qa"},
    )
    stream = client.chat.completions.create(
        model="beta", messages=HI, max_tokens=5, temperature=0, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert served.store.get(chunks[0].id) is not None  # committed before the client read `[DONE]`
    text = client.completions.create(model=served.base_name, prompt="hi", max_tokens=4, temperature=0.5, n=2, seed=1)
    with pytest.raises(openai.NotFoundError):  # refused requests generate nothing and are not logged
        client.chat.completions.create(model="nope", messages=HI, max_tokens=4)

    rows = {r.id: r for r in served.store.query() if r.id not in before}
    assert set(rows) == {chat.id, chunks[0].id, text.id}

    logged = rows[chat.id]
    assert (logged.model, logged.endpoint, logged.status) == ("alpha", "chat", "ok")
    assert logged.messages == HI
    assert logged.output == chat.choices[0].message.content
    assert (logged.prompt_tokens, logged.completion_tokens) == (chat.usage.prompt_tokens, 6)
    assert sorted(logged.tags) == ["smoke", "t1"] and logged.meta == {"team": "qa"}
    assert logged.key_id == served.settings.key_id(KEY) and KEY not in str(logged)
    assert logged.latency_ms > 0 and logged.params["max_tokens"] == 6 and logged.finish_reason == "length"

    streamed = rows[chunks[0].id]
    assert streamed.output == "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed.completion_tokens == chunks[-1].usage.completion_tokens == 5

    completion = rows[text.id]
    assert completion.endpoint == "completions" and completion.prompt == "hi" and completion.messages is None
    assert [c["text"] for c in completion.choices] == [c.text for c in text.choices]
    assert completion.completion_tokens == text.usage.completion_tokens == 8

    assert [r.id for r in served.store.query(LogFilter(tag="smoke"))] == [chat.id]


def test_a_client_leaving_mid_stream_is_logged_as_cancelled(served):
    body = {"model": "alpha", "messages": HI, "max_tokens": 64, "temperature": 0, "stream": True, "tags": ["leaver"]}
    headers = {"Authorization": f"Bearer {KEY}"}
    with served.backend.lock:  # the model is busy: the client gets the first chunk, then hangs up
        with httpx.stream("POST", f"{served.base_url}/chat/completions", json=body, headers=headers) as response:
            assert next(response.iter_lines()).startswith("data: ")
        deadline = time.monotonic() + 30
        while not (rows := served.store.query(LogFilter(tag="leaver"))):
            assert time.monotonic() < deadline, "the cancelled stream was never logged"
            time.sleep(0.05)
    assert len(rows) == 1
    assert (rows[0].status, rows[0].output, rows[0].completion_tokens) == ("cancelled", "", 0)


def test_metrics_count_requests_tokens_and_queue(client, served):
    client.chat.completions.create(model="beta", messages=HI, max_tokens=3, temperature=0)
    text = httpx.get(f"{served.root}/metrics", headers={"Authorization": f"Bearer {KEY}"}).text
    assert 'tunesmith_requests_total{endpoint="chat",model="beta",status="200"}' in text
    assert 'tunesmith_tokens_total{kind="completion",model="beta"}' in text
    assert "tunesmith_request_latency_seconds_bucket" in text
    assert "tunesmith_queue_depth 0.0" in text
