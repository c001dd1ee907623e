"""Adapter roots (the only folders adapters load from), the path filter on error messages, and the audit that
checks every error body in the serve tests for leaks."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from tests.serve.live import LiveServer, leaks
from tunesmith.serve.adapters import OutsideRoots, confined_adapter, registered
from tunesmith.serve.errors import APIError, redact_paths
from tunesmith.serve.launch import ServeOptions, build


def test_confined_adapter_finds_by_relative_or_absolute_path_inside_a_root_only(adapter_runs, tmp_path):
    root = adapter_runs["alpha"].parent
    assert confined_adapter("alpha", (root,)) == adapter_runs["alpha"].resolve()
    assert confined_adapter(str(adapter_runs["beta"]), (tmp_path, root)) == adapter_runs["beta"].resolve()
    for given in ("", "alpha/../beta/../../x", str(tmp_path), "/", "alpha\x00", "missing"):
        with pytest.raises(OutsideRoots):
            confined_adapter(given, (root,))
    with pytest.raises(OutsideRoots):
        confined_adapter(str(adapter_runs["alpha"]), (tmp_path,))  # an adapter, but not in this root


def test_registered_serves_each_adapter_in_a_root_under_its_folder_name(adapter_runs, tiny_model_dir, tmp_path):
    notes = []

    class Notes:
        def note(self, text: str) -> None:
            notes.append(text)

    root = adapter_runs["alpha"].parent
    found = registered((root,), str(tiny_model_dir), Notes())
    assert {name: path for name, path in found.items() if name in ("alpha", "beta")} == {
        "alpha": adapter_runs["alpha"] / "final",
        "beta": adapter_runs["beta"] / "final",
    }
    odd = tmp_path / "odd.name"  # a name clients could not use (dots are refused in adapter names)
    (odd / "final").mkdir(parents=True)
    (odd / "final" / "adapter_config.json").write_text("{}")
    (odd / "recipe.yaml").write_text(f"model: {tiny_model_dir}\n")
    (tmp_path / "notes").mkdir()  # not an adapter at all: passed over silently
    assert registered((tmp_path,), str(tiny_model_dir), Notes()) == {}
    assert any("odd.name" in note for note in notes)


def test_serve_build_registers_the_roots_adapters_and_refuses_a_missing_root(tiny_model_dir, adapter_runs, tmp_path):
    from tunesmith.errors import InputError

    root = adapter_runs["alpha"].parent
    options = ServeOptions(model=str(tiny_model_dir), adapter_roots=[root], store=str(tmp_path / "l.db"))
    app, store = build(options)
    names = {m.name for m in app.state.server.backend.models()}
    store.close()
    assert {"alpha", "beta"} <= names
    assert app.state.server.settings.adapter_roots == (root.resolve(),)
    with pytest.raises(InputError, match="--adapter-root .*not a folder"):
        build(ServeOptions(model=str(tiny_model_dir), adapter_roots=[tmp_path / "nope"], store=str(tmp_path / "m.db")))


def test_redact_paths_keeps_routes_and_replaces_file_paths():
    text = "could not read /srv/models/x/adapter.bin (see ~/logs/a.txt); use /v1/chat/completions or /admin/adapters"
    assert redact_paths(text) == "could not read <path> (see <path>); use /v1/chat/completions or /admin/adapters"
    assert APIError(400, "bad file /home/u/data.jsonl").body()["error"]["message"] == "bad file <path>"


def test_the_audit_catches_an_error_body_that_leaks(tmp_path):
    app = FastAPI()

    @app.get("/leak")
    def leak():  # built by hand, past APIError's filter: the audit must still see it
        return JSONResponse({"error": {"message": f"cannot open {tmp_path}/x.json"}}, status_code=400)

    server = LiveServer(app)
    with pytest.raises(AssertionError, match="reveal the server"), server:
        httpx.get(f"{server.root}/leak")
    assert leaks("Traceback (most recent call last):") and not leaks("an ordinary message")


def test_fine_tuning_workers_never_see_the_servers_keys(monkeypatch):
    from tunesmith.jobs.runner import STORE_ENV, worker_env
    from tunesmith.serve.keys import SERVER_SECRETS_ENV

    for name in SERVER_SECRETS_ENV:
        monkeypatch.setenv(name, "sk-secret-value-0000")
    monkeypatch.setenv("HF_HOME", "/somewhere")
    env = worker_env("sqlite:///jobs.db", SERVER_SECRETS_ENV)
    assert not set(SERVER_SECRETS_ENV) & set(env)
    assert env["HF_HOME"] == "/somewhere" and env[STORE_ENV] == "sqlite:///jobs.db"
    assert {"TUNESMITH_API_KEYS", "TUNESMITH_ADMIN_KEYS", "TUNESMITH_KEY_SECRET"} == set(SERVER_SECRETS_ENV)
