"""The JSON on the wire, built from the schema models: OpenAI's shapes, key for key, whole and streamed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.serve.fakes import EchoBackend
from tunesmith.serve.app import create_app
from tunesmith.serve.context import Caller, RequestContext
from tunesmith.serve.store import Store


@pytest.fixture
def http(tmp_path):
    store = Store(tmp_path / "logs.db")
    with TestClient(create_app(EchoBackend(), store)) as client:
        yield client
    store.close()


def events(response) -> list:
    lines = [line.removeprefix("data: ") for line in response.text.split("\n\n") if line]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


def test_a_whole_chat_answer_has_openais_keys_in_openais_order(http):
    body = http.post("/v1/chat/completions", json={"model": "echo", "messages": [{"role": "user", "content": "a b"}]})
    reply = body.json()
    assert list(reply) == ["id", "object", "created", "model", "choices", "usage"]
    assert reply["id"].startswith("chatcmpl-") and reply["object"] == "chat.completion"
    assert reply["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": "b a"}, "finish_reason": "stop", "logprobs": None}
    ]
    assert reply["usage"] == {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}


def test_a_streamed_chat_opens_with_the_role_and_only_the_last_chunk_has_usage(http):
    request = {"model": "echo", "messages": [{"role": "user", "content": "a b"}], "stream": True}
    chunks = events(http.post("/v1/chat/completions", json={**request, "stream_options": {"include_usage": True}}))
    assert [c["choices"][0]["delta"] for c in chunks[:-1]] == [
        {"role": "assistant", "content": ""},
        {"content": "b"},
        {"content": " a"},
        {},
    ]
    assert [c["choices"][0]["finish_reason"] for c in chunks[:-1]] == [None, None, None, "stop"]
    assert all("usage" not in c for c in chunks[:-1]) and chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and len({c["id"] for c in chunks}) == 1
    assert all("usage" not in c for c in events(http.post("/v1/chat/completions", json=request)))


def test_a_streamed_text_completion_sends_text_pieces(http):
    chunks = events(http.post("/v1/completions", json={"model": "echo", "prompt": "a b", "stream": True}))
    assert [c["choices"][0] for c in chunks] == [
        {"index": 0, "text": "b", "logprobs": None, "finish_reason": None},
        {"index": 0, "text": " a", "logprobs": None, "finish_reason": None},
        {"index": 0, "text": "", "logprobs": None, "finish_reason": "stop"},
    ]
    assert chunks[0]["id"].startswith("cmpl-") and chunks[0]["object"] == "text_completion"


def test_health_and_errors_are_typed_too(http):
    assert http.get("/health").json() == {"status": "ok", "models": 1, "queue_depth": 0}
    error = http.post("/v1/completions", json={"model": "nope", "prompt": "x"}).json()
    assert error == {
        "error": {
            "message": "The model `nope` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }


def test_a_request_context_names_its_response_and_its_callers_bucket():
    chat, text = RequestContext("chat", "m"), RequestContext("completions", "m", Caller("key-1", "10.0.0.1"))
    assert chat.id.startswith("chatcmpl-") and text.id.startswith("cmpl-") and chat.id != RequestContext("chat", "m").id
    assert chat.caller.bucket == "ip:unknown" and text.caller.bucket == "key-1"
    assert Caller(None, "10.0.0.1").bucket == "ip:10.0.0.1" and chat.seconds() >= 0
