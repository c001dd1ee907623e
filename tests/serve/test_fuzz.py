"""Every route of the OpenAPI schema, fuzzed by schemathesis (valid and invalid requests, with a key, without one
and with a wrong one): never a 5xx, and every error in OpenAI's shape `{"error": {message, type, param, code}}`."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from tests.serve.conftest import KEY
from tests.serve.fakes import EchoBackend
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.store import Store

AUTH = {"Authorization": f"Bearer {KEY}"}
KEYLESS = ("/health",)  # the only routes that answer without a key
EXAMPLES, EXAMPLES_NO_KEY = 12, 3  # per route and generation mode: the whole file runs in well under a minute


SETTINGS = ServerSettings(api_keys=(KEY,), max_tokens=32, max_body_bytes=50_000)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app over the echo backend with one key, logging to a SQLite store."""
    store = Store(tmp_path_factory.mktemp("fuzz") / "log.db")
    yield create_app(EchoBackend(), store, SETTINGS)
    store.close()


def schema(examples: int):
    """The app's OpenAPI document, set up to fuzz every route reproducibly. Loaded at import, as pytest collects
    one test per route (schemathesis' fixture-based loader needs a pytest attribute that pytest 9 removed); the
    requests go to the `app` fixture."""
    store = Store("sqlite://")  # in memory: only for building the document
    document = create_app(EchoBackend(), store, SETTINGS).openapi()
    store.close()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.generation.update(max_examples=examples, deterministic=True, database="none", allow_x00=True)
    return loaded


def openai_error_shape(ctx, response, case) -> None:
    """Any 4xx/5xx body is `{"error": {"message": str, "type": str, "param": str|None, "code": str|int|None}}`."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"not OpenAI's error shape: {body!r}"
    error = body["error"]
    assert isinstance(error, dict) and set(error) == {"message", "type", "param", "code"}, f"error fields: {error!r}"
    assert isinstance(error["message"], str) and error["message"] and isinstance(error["type"], str), error
    assert error["param"] is None or isinstance(error["param"], str), error
    assert error["code"] is None or isinstance(error["code"], str | int), error
    return None


CHECKS = [not_a_server_error, openai_error_shape]


@schema(EXAMPLES).parametrize()
def test_fuzzed_requests_with_a_key_get_no_5xx_and_openai_errors(case, app):
    response = case.call(headers=AUTH, app=app)
    case.validate_response(response, checks=CHECKS)


@schema(EXAMPLES_NO_KEY).parametrize()
def test_fuzzed_requests_without_a_good_key_are_refused_in_openai_shape(case, app):
    for auth in ({}, {"Authorization": "Bearer sk-wrong-0123456789"}):  # no key, then a wrong one
        response = case.call(headers=auth, app=app)
        case.validate_response(response, checks=CHECKS)
        if case.path not in KEYLESS:
            assert response.status_code == 401, (case.method, case.path, auth, response.status_code, response.text)


def test_what_the_fuzzer_found_stays_fixed(postgres):
    """`"auto"` sent explicitly as a bounded hyperparameter was a 500; a tag longer than the store's column was a
    500 on PostgreSQL (SQLite does not enforce lengths); a lone surrogate in any text was a 500 (or a broken
    stream) when the reply or the log row was encoded. Run on the PostgreSQL store."""
    from fastapi.testclient import TestClient

    store = Store(postgres.new_database())
    with TestClient(create_app(EchoBackend(), store, SETTINGS), headers=AUTH) as http:
        job = {"model": "echo", "training_file": "file-x", "hyperparameters": {"n_epochs": "auto"}}
        reply = http.post("/v1/fine_tuning/jobs", json=job)
        assert reply.status_code < 500 and set(reply.json()["error"]) == {"message", "type", "param", "code"}
        chat = {"model": "echo", "messages": [{"role": "user", "content": "a\x00b"}]}
        reply = http.post("/v1/chat/completions", json={**chat, "tags": ["t" * 65]})
        assert reply.status_code == 400 and reply.json()["error"]["param"] == "tags.0", reply.text
        reply = http.post("/v1/chat/completions", json={**chat, "tags": ["t" * 64], "model": "echo"})
        assert reply.status_code == 200 and store.get(reply.json()["id"]).tags == ["t" * 64]
        assert store.get(reply.json()["id"]).messages[0]["content"] == "a\ufffdb"  # NUL: not storable in PostgreSQL
        # a lone surrogate (an unpaired \ud800 escape, sent as raw JSON): no UTF-8 reply or log row can hold it
        rid = reply.json()["id"]
        for path, body in (
            ("/v1/chat/completions", '{"model": "echo", "messages": [{"role": "user", "content": "a \\ud800"}]}'),
            ("/v1/feedback", f'{{"request_id": "{rid}", "correction": "\\udfff"}}'),
        ):
            refused = http.post(path, content=body, headers={"Content-Type": "application/json"})
            assert refused.status_code == 400 and "lone UTF-16 surrogate" in refused.json()["error"]["message"]
    store.close()
