"""`tunesmith ui` and `tunesmith serve --ui` as a user starts them: a process, a workspace, pages, keyed routes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.serve.live import free_port

ADMIN = "sk-cli-ui-admin-0001"


def start(args: list[str], tmp_path: Path, env_keys: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "tunesmith", *args, "--port", str(port)]
    env = {**os.environ, "TUNESMITH_KEY_SECRET": "a-test-secret-of-32-characters-or-more", **env_keys}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        assert server.poll() is None, (tmp_path / "server.log").read_text()
        assert time.monotonic() < deadline, "server did not start"
        try:
            if httpx.get(f"{root}/health", timeout=1).status_code == 200:
                return server, root
        except httpx.TransportError:
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(30)


@pytest.mark.parametrize("command", ["ui", "serve"])
def test_ui_starts_with_a_workspace_and_keeps_its_routes_for_admins(tmp_path, tiny_model_dir, command):
    workspace = tmp_path / "space"
    args = [command, str(tiny_model_dir)] + (
        ["--workspace", str(workspace)] if command == "ui" else ["--ui", str(workspace)]
    )
    keys = {"TUNESMITH_ADMIN_KEYS": ADMIN, "TUNESMITH_API_KEYS": "sk-cli-ui-inference-0001"}
    server, root = start(args, tmp_path, keys)
    try:
        assert ADMIN.encode() not in Path(f"/proc/{server.pid}/cmdline").read_bytes()
        page = httpx.get(f"{root}/ui/")
        assert page.status_code == 200 and "app.js" in page.text
        assert httpx.get(f"{root}/", follow_redirects=False).headers["location"] == "/ui/"
        assert httpx.get(f"{root}/ui/api/info").status_code == 401
        inference = {"Authorization": "Bearer sk-cli-ui-inference-0001"}
        assert httpx.get(f"{root}/ui/api/info", headers=inference).status_code == 403
        info = httpx.get(f"{root}/ui/api/info", headers={"Authorization": f"Bearer {ADMIN}"}).json()
        assert info["fine_tuning"] is True and info["keys_required"] is True
        assert sorted(p.name for p in workspace.iterdir() if p.is_dir()) == sorted(info["areas"])
        schema = httpx.get(f"{root}/openapi.json", headers={"Authorization": f"Bearer {ADMIN}"}).json()
        assert "/ui/api/info" in schema["paths"]
    finally:
        stop(server)
