"""Bad requests get the right 4xx with an OpenAI-style error body."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from tests.serve.conftest import ADMIN_KEY, KEY

AUTH = {"Authorization": f"Bearer {KEY}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def error_of(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"]
    return body["error"]


def post(served, path: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{served.root}{path}", headers={**AUTH, **kwargs.pop("headers", {})}, timeout=60, **kwargs)


def test_bad_or_missing_key_is_401_and_never_echoes_the_key(served):
    client = openai.OpenAI(base_url=served.base_url, api_key="sk-wrong-key-000", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.models.list()
    assert caught.value.status_code == 401
    assert caught.value.body["code"] == "invalid_api_key"
    assert "sk-wrong" not in caught.value.body["message"]
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": f"Bearer {KEY}x"}):
        response = httpx.post(f"{served.root}/v1/chat/completions", json={}, headers=headers)
        assert response.status_code == 401 and error_of(response)["code"] == "invalid_api_key"
    assert httpx.post(f"{served.root}/admin/adapters", json={"name": "x", "path": "/tmp"}).status_code == 401
    assert httpx.get(f"{served.root}/health").status_code == 200  # the one open path


def test_unknown_model_is_404_model_not_found(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}], max_tokens=4)
    assert caught.value.body == {
        "message": "The model `nope` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }


def test_oversized_body_is_413(served):
    big = {"model": served.base_name, "messages": [{"role": "user", "content": "x" * 30_000}]}
    response = post(served, "/v1/chat/completions", json=big)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_oversized_chunked_body_is_413(served):
    def chunks():
        for _ in range(30):
            yield b" " * 1000

    response = post(served, "/v1/chat/completions", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_malformed_json_is_400(served):
    response = post(
        served,
        "/v1/chat/completions",
        content=b'{"model": "x", "messages": [',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_missing_and_wrong_parameters_are_400(served):
    response = post(served, "/v1/chat/completions", json={"model": served.base_name})
    assert response.status_code == 400
    assert error_of(response)["param"] == "messages"
    response = post(served, "/v1/chat/completions", json={"model": served.base_name, "messages": [], "n": 0})
    assert response.status_code == 400


def test_max_tokens_over_the_limit_is_400(client, served):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=served.base_name, messages=[{"role": "user", "content": "hi"}], max_tokens=65
        )
    assert caught.value.body["param"] == "max_tokens"
    assert "at most 64" in caught.value.body["message"]


def test_unsupported_parameter_is_400_not_ignored(client, served):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=served.base_name, messages=[{"role": "user", "content": "hi"}], max_tokens=4, logprobs=True
        )
    assert caught.value.body["param"] == "logprobs"


def test_bad_json_schema_is_400(client, served):
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "no-such-type"}}}
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=served.base_name, messages=[{"role": "user", "content": "hi"}], max_tokens=4, response_format=fmt
        )
    assert caught.value.body["param"] == "response_format"


@pytest.mark.parametrize("name", ["../x", "a/b", "a.b", "", "-x", "x" * 193])
def test_adapter_names_are_checked(served, adapter_runs, name):
    response = post(served, "/admin/adapters", json={"name": name, "path": "alpha"}, headers=ADMIN)
    assert response.status_code == 400
    assert error_of(response)["param"] == "name"


def test_an_inference_key_gets_403_on_every_admin_route(served):
    for method, path in (("POST", "/admin/adapters"), ("DELETE", "/admin/adapters/alpha"), ("GET", "/admin/x")):
        response = httpx.request(method, f"{served.root}{path}", json={"name": "x", "path": "alpha"}, headers=AUTH)
        assert response.status_code == 403 and error_of(response)["code"] == "insufficient_permissions"
    assert "alpha" in [m["id"] for m in httpx.get(f"{served.base_url}/models", headers=AUTH).json()["data"]]


def test_adapters_load_only_from_inside_the_roots_and_outside_looks_like_missing(served, adapter_runs, tmp_path):
    root = adapter_runs["alpha"].parent
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "adapter_config.json").write_text("{}")  # an adapter-looking folder, but outside every root
    escape = root / f"escape-{tmp_path.name}"
    escape.symlink_to(outside)  # a link inside the root that leads out of it
    try:
        refusals = [
            str(outside),  # exists, absolute, outside
            str(tmp_path / "no-such-folder"),  # does not exist
            "no-such-run",  # relative, missing inside the root
            "alpha/../../" + outside.name,  # climbs out
            escape.name,  # follows a link out
            "/etc",
            "",
        ]
        answers = [post(served, "/admin/adapters", json={"name": "x", "path": p}, headers=ADMIN) for p in refusals]
    finally:
        escape.unlink()
    assert {r.status_code for r in answers} == {404}
    assert len({json.dumps(error_of(r)) for r in answers}) == 1  # one answer, whatever is (or is not) on the disk
    assert "x" not in [m["id"] for m in httpx.get(f"{served.base_url}/models", headers=AUTH).json()["data"]]


def test_an_adapter_that_does_not_load_says_so_without_the_library_text(served, adapter_runs):
    broken = adapter_runs["alpha"].parent / "broken-adapter"
    broken.mkdir(exist_ok=True)
    (broken / "adapter_config.json").write_text('{"peft_type": "LORA", "r": "not a number"}')
    try:
        response = post(served, "/admin/adapters", json={"name": "broken", "path": "broken-adapter"}, headers=ADMIN)
    finally:
        (broken / "adapter_config.json").unlink()
        broken.rmdir()
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "adapter_load_failed" and "server's log" in error["message"]
    assert "broken-adapter" not in error["message"] and "Error" not in error["message"]


def test_unknown_route_has_an_openai_style_body(served):
    response = httpx.get(f"{served.root}/v1/nothing", headers=AUTH)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
