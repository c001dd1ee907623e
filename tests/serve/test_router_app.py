"""`model: "auto"` through the app: answered by the routed adapter (header, `model`, log), streamed too; refused
without --router; the admin API's loads and unloads refit the router; `serve --router` options checked."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.serve.fakes import EchoBackend
from tests.serve.routed import HELD_OUT, make_runs
from tunesmith.errors import InputError
from tunesmith.serve.router import HEADER

ADMIN = "sk-admin-router-0123"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model_dir):
    return make_runs(tmp_path_factory.mktemp("routed"), tiny_model_dir)


def routed_app(tmp_path, tiny_model_dir, runs, served: list[str]):
    """The app on the tiny model with the adapters named in `served` and a router; the runs' folder is the
    adapter root (admins may load the others)."""
    from tunesmith.serve.adapters import plan
    from tunesmith.serve.app import ServerSettings, create_app
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.router import AdapterRouter, RouterSettings
    from tunesmith.serve.store import Store

    served_plan = plan(str(tiny_model_dir), [(name, str(runs[name])) for name in served])
    router = AdapterRouter(served_plan.base_name, RouterSettings(cache_dir=tmp_path / "router-cache"))
    router.set_adapters(served_plan.adapters)
    store = Store(tmp_path / "logs.db")
    settings = ServerSettings(admin_keys=(ADMIN,), adapter_roots=(runs["extract"].parent,), max_tokens=16)
    return create_app(TransformersBackend(served_plan, max_batch=4), store, settings, router=router), store


@pytest.fixture(scope="module")
def http(tmp_path_factory, tiny_model_dir, runs):
    app, store = routed_app(tmp_path_factory.mktemp("app"), tiny_model_dir, runs, ["extract", "tools"])
    with TestClient(app, headers=AUTH) as client:
        client.store = store
        yield client
    store.close()


def chat(prompt: str, **extra) -> dict:
    return {"model": "auto", "messages": [{"role": "user", "content": prompt}], "max_tokens": 4, **extra}


@pytest.mark.parametrize("task", ["extract", "tools"])
def test_an_auto_chat_request_is_answered_by_the_adapter_of_its_task_and_logged_so(http, task):
    first = [{"role": "user", "content": HELD_OUT["extract" if task == "tools" else "tools"][0]}]
    body = chat(HELD_OUT[task][1], temperature=0)
    body["messages"] = [*first, {"role": "assistant", "content": "ok"}, *body["messages"]]  # the last user turn counts
    reply = http.post("/v1/chat/completions", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.headers[HEADER] == task and reply.json()["model"] == task
    assert list(reply.json()) == ["id", "object", "created", "model", "choices", "usage"]
    logged = http.store.get(reply.json()["id"])
    assert logged.model == task
    assert logged.meta["router"]["adapter"] == task and logged.meta["router"]["fell_back"] is False
    direct = http.post("/v1/chat/completions", json={**body, "model": task})  # the same as asking for it by name
    assert direct.json()["choices"][0]["message"] == reply.json()["choices"][0]["message"]
    assert HEADER not in direct.headers


def test_auto_text_completions_and_streams_are_routed_too(http):
    text = http.post("/v1/completions", json={"model": "auto", "prompt": HELD_OUT["tools"][2], "max_tokens": 3})
    assert text.status_code == 200 and text.headers[HEADER] == "tools" and text.json()["model"] == "tools"
    with http.stream("POST", "/v1/chat/completions", json=chat(HELD_OUT["extract"][2], stream=True)) as streamed:
        assert streamed.headers[HEADER] == "extract"
        lines = [line.removeprefix("data: ") for line in streamed.iter_lines() if line]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert chunks and {c["model"] for c in chunks} == {"extract"}
    assert http.store.get(chunks[0]["id"]).meta["router"]["model"] == "extract"


def test_models_lists_auto_beside_the_base_and_adapters(http):
    listed = [m["id"] for m in http.get("/v1/models").json()["data"]]
    assert listed[-1] == "auto" and {"extract", "tools"} < set(listed)
    assert http.get("/v1/models/auto").json()["id"] == "auto"


def test_auto_without_router_is_a_404_in_openais_shape(tmp_path):
    from tunesmith.serve.app import create_app
    from tunesmith.serve.store import Store

    store = Store(tmp_path / "logs.db")
    with TestClient(create_app(EchoBackend(), store)) as client:
        reply = client.post("/v1/chat/completions", json=chat("hello"))
        assert reply.status_code == 404
        error = reply.json()["error"]
        assert error["code"] == "model_not_found" and error["param"] == "model" and "--router" in error["message"]
        assert "auto" not in [m["id"] for m in client.get("/v1/models").json()["data"]]
        assert client.post("/v1/completions", json={"model": "auto", "prompt": "x"}).status_code == 404
    assert store.query() == []
    store.close()


def test_loading_and_unloading_an_adapter_through_the_admin_api_refits_the_router(tmp_path, tiny_model_dir, runs):
    app, store = routed_app(tmp_path, tiny_model_dir, runs, ["extract"])
    tools_prompt = chat(HELD_OUT["tools"][0])
    with TestClient(app, headers=AUTH) as client:
        assert client.post("/v1/chat/completions", json=tools_prompt).headers[HEADER] == "extract"  # the only one
        loaded = client.post("/admin/adapters", json={"name": "tools", "path": "tools"})
        assert loaded.status_code == 200, loaded.text
        assert client.post("/v1/chat/completions", json=tools_prompt).headers[HEADER] == "tools"
        assert client.delete("/admin/adapters/tools").status_code == 200
        assert client.post("/v1/chat/completions", json=tools_prompt).headers[HEADER] == "extract"
    store.close()


def test_serve_refuses_router_options_that_cannot_work(tmp_path, tiny_model_dir, runs, monkeypatch):
    from tunesmith.serve.launch import ServeOptions, build

    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path / "home"))
    store = str(tmp_path / "logs.db")
    with pytest.raises(InputError, match="--router-fallback"):
        build(ServeOptions(model=str(tiny_model_dir), router_fallback="extract", store=store))
    with pytest.raises(InputError, match="--router"):
        build(ServeOptions(upstream="http://127.0.0.1:9/v1", router=True, store=store))
    adapters = [f"extract={runs['extract']}", f"tools={runs['tools']}"]
    with pytest.raises(InputError, match="--router-fallback nope"):
        build(
            ServeOptions(model=str(tiny_model_dir), adapters=adapters, router=True, router_fallback="nope", store=store)
        )
    app, opened = build(ServeOptions(model=str(tiny_model_dir), adapters=adapters, router=True, store=store))
    assert app.state.server.router.router.names == ["extract", "tools"]
    assert list((tmp_path / "home" / "router").glob("router-*.npz"))
    opened.close()


def test_the_cli_refuses_a_router_fallback_without_router_with_exit_2(monkeypatch, capsys, tmp_path):
    from tests.serve.test_cli import run_cli

    db = tmp_path / "logs.db"
    code, _, err = run_cli(monkeypatch, capsys, "serve", "m", "--router-fallback", "m", "--store", str(db))
    assert code == 2 and "--router-fallback" in err and "--router" in err
    assert not db.exists()
