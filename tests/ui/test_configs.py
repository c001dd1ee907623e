"""`/ui/api/configs`: a config is checked by the CLI's own loader (same message as `tunesmith arena FILE` prints),
written only when it passes, listed by kind and read back; `/ui/api/files` serves workspace files only."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.ui.conftest import ADMIN_KEY

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
ARENA = "task: {eval: ../data/chat.jsonl, limit: 4}\narms:\n  - {name: base, kind: prompt}\n"
TYPO = "task: {eval: ../data/chat.jsonl, limt: 4}\narms:\n  - {name: base, kind: promt}\n"


def post(server, body) -> httpx.Response:
    return httpx.post(f"{server.root}/ui/api/configs", json=body, headers=AUTH, timeout=60)


def test_a_config_is_saved_listed_and_read_back(ui_server):
    saved = post(ui_server, {"kind": "arena", "name": "my arena", "yaml": ARENA})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"path": "configs/my-arena.yaml", "kind": "arena"}
    assert (ui_server.workspace / "configs" / "my-arena.yaml").read_text() == ARENA
    listed = httpx.get(f"{ui_server.root}/ui/api/configs", params={"kind": "arena"}, headers=AUTH).json()
    assert {"path": "configs/my-arena.yaml", "kind": "arena", "name": "my-arena"} in listed["data"]
    none = httpx.get(f"{ui_server.root}/ui/api/configs", params={"kind": "flywheel"}, headers=AUTH).json()
    assert all(c["kind"] == "flywheel" for c in none["data"])
    read = httpx.get(f"{ui_server.root}/ui/api/configs/my-arena", headers=AUTH).json()
    assert read == {"path": "configs/my-arena.yaml", "kind": "arena", "yaml": ARENA}


def test_a_bad_config_gets_the_cli_message_and_nothing_is_written(ui_server):
    answer = post(ui_server, {"kind": "arena", "name": "typo", "yaml": TYPO})
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert not (ui_server.workspace / "configs" / "typo.yaml").exists()
    (ui_server.workspace / "configs" / "typo.yaml").write_text(TYPO)  # what the CLI says about the same file
    cli = subprocess.run(
        [sys.executable, "-m", "tunesmith", "arena", "configs/typo.yaml"],
        cwd=ui_server.workspace,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (ui_server.workspace / "configs" / "typo.yaml").unlink()
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"error: {message}"
    assert "key 'task.limt': unknown key; did you mean 'limit'?" in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "arena", "name": "bad", "yaml": "task: [\n"}, "configs/bad.yaml:2: not valid YAML"),
        ({"kind": "arena", "name": "../escape", "yaml": ARENA}, "name: expected 1-64 letters"),
        ({"kind": "data_pipeline", "name": "p", "yaml": "inputs: []\noutput: /tmp/x\n"}, "is outside the workspace"),
        ({"kind": "flywheel", "name": "f", "yaml": "store: /var/x.db\nteacher_model: t\n"}, "key 'store'"),
        ({"kind": "recipe", "name": "r", "yaml": "{}"}, "kind"),
    ],
)
def test_bad_configs_are_refused(ui_server, body, expected):
    answer = post(ui_server, body)
    assert answer.status_code == 400
    assert expected in answer.json()["error"]["message"]


def test_a_missing_config_is_a_404(ui_server):
    for name in ("nope", "..", "%2e%2e%2fsecret"):
        assert httpx.get(f"{ui_server.root}/ui/api/configs/{name}", headers=AUTH).status_code == 404


def test_files_are_served_from_the_workspace_only(ui_server, tmp_path):
    files = f"{ui_server.root}/ui/api/files"
    got = httpx.get(files, params={"path": "data/chat.jsonl"}, headers=AUTH)
    assert got.status_code == 200
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"].startswith("text/plain")
    assert "content-security-policy" not in got.headers
    (tmp_path / "secret.txt").write_text("secret")
    (ui_server.workspace / "data" / "link.txt").symlink_to(tmp_path / "secret.txt")
    answers = [
        httpx.get(files, params={"path": p}, headers=AUTH)
        for p in ("data/none.jsonl", "../secret.txt", str(tmp_path / "secret.txt"), "data/link.txt", "data", "")
    ]
    assert [a.status_code for a in answers] == [404] * 6
    assert all("secret" not in a.text or "secret.txt" in a.text for a in answers)
    assert httpx.get(files, params={"path": "data/chat.jsonl"}).status_code == 401


def test_html_reports_are_sandboxed(ui_server):
    report = ui_server.workspace / "runs" / "r" / "report.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<html><body><script>alert(1)</script></body></html>")
    got = httpx.get(f"{ui_server.root}/ui/api/files", params={"path": "runs/r/report.html"}, headers=AUTH)
    assert got.status_code == 200
    assert got.headers["content-security-policy"] == "sandbox"
    assert got.headers["content-type"].startswith("text/html")
    assert got.headers["x-content-type-options"] == "nosniff"
