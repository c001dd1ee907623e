"""The Data page's API: uploads (names, size limit, overwrite), the file list, and inspect, whose errors carry the
same words as `tunesmith data inspect` (and, like every error the live server sends, no server path)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.ui.conftest import ADMIN_KEY, chat_rows

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
GOOD_LINE = json.dumps(chat_rows(1)[0])
BROKEN = f'{GOOD_LINE}\n{{"messages": [{{"role": "user", "content": "hi"}}\n{GOOD_LINE}\n'  # line 2 is cut short


def upload(server, name: str, body: bytes, overwrite: bool = False) -> httpx.Response:
    files = {"file": (name, body, "application/octet-stream")}
    data = {"overwrite": "true"} if overwrite else {}
    return httpx.post(f"{server.root}/ui/api/data/upload", files=files, data=data, headers=AUTH)


def inspect(server, path: str, **query) -> httpx.Response:
    params = {"path": path, **query}
    return httpx.get(f"{server.root}/ui/api/data/inspect", params=params, headers=AUTH, timeout=120)


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def test_an_upload_is_saved_listed_and_refused_again_unless_overwritten(ui_server):
    answer = upload(ui_server, "small.jsonl", jsonl(chat_rows(5)))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": "data/small.jsonl", "bytes": len(jsonl(chat_rows(5)))}
    assert (ui_server.workspace / "data" / "small.jsonl").read_bytes() == jsonl(chat_rows(5))

    again = upload(ui_server, "small.jsonl", jsonl(chat_rows(3)))
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "data/small.jsonl: already exists; choose another name, or overwrite it"
    assert upload(ui_server, "small.jsonl", jsonl(chat_rows(3)), overwrite=True).status_code == 200

    listed = httpx.get(f"{ui_server.root}/ui/api/data/files", headers=AUTH).json()["data"]
    by_path = {f["path"]: f for f in listed}
    assert by_path["data/small.jsonl"]["records"] == 3
    assert by_path["data/chat.jsonl"]["records"] == 24
    assert not [p for p in by_path if "/." in p], "hidden (temporary) files are not listed"


def test_a_broken_file_uploads_fine(ui_server):
    answer = upload(ui_server, "stored-broken.jsonl", BROKEN.encode())
    assert answer.status_code == 200
    assert (ui_server.workspace / "data" / "stored-broken.jsonl").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".hidden.jsonl", "is hidden"),
        ("../escape.jsonl", "has a folder in it"),
        ("sub/x.jsonl", "has a folder in it"),
        ("..\\x.jsonl", "has a folder in it"),
        ("semi;colon.jsonl", "has characters a file name here may not use"),
        ("space name.jsonl", "has characters a file name here may not use"),
        ("notes.txt", "unsupported file type '.txt'"),
        ("x" * 200 + ".jsonl", "has characters a file name here may not use"),
    ],
)
def test_upload_names_are_checked(ui_server, name, expected):
    answer = upload(ui_server, name, jsonl(chat_rows(1)))
    assert answer.status_code == 400, answer.text
    assert expected in answer.json()["error"]["message"]
    assert answer.json()["error"]["param"] == "file"
    assert not (ui_server.workspace / "escape.jsonl").exists()
    assert not (ui_server.workspace.parent / "escape.jsonl").exists()


def test_a_chinese_file_name_is_fine(ui_server):
    answer = upload(ui_server, "客服对话.jsonl", jsonl(chat_rows(2)))
    assert answer.status_code == 200
    assert answer.json()["path"] == "data/客服对话.jsonl"


def test_an_upload_over_the_servers_limit_is_refused_and_leaves_nothing(ui_server):
    serving = ui_server.app.state.server
    original = serving.settings
    serving.settings = dataclasses.replace(original, max_upload_bytes=2000)
    try:
        answer = upload(ui_server, "big.jsonl", jsonl(chat_rows(24)))
        small = upload(ui_server, "fits.jsonl", jsonl(chat_rows(1)))
    finally:
        serving.settings = original
    assert answer.status_code == 413
    expected = "data/big.jsonl: is larger than this server's upload limit of 2,000 bytes"
    assert answer.json()["error"]["message"] == expected
    assert small.status_code == 200
    assert not (ui_server.workspace / "data" / "big.jsonl").exists()
    assert not [p.name for p in (ui_server.workspace / "data").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("path", ["../x.jsonl", "data/../../x.jsonl", "/etc/passwd", "data/missing.jsonl"])
def test_inspect_is_confined_to_the_workspace(ui_server, path):
    answer = inspect(ui_server, path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "file_not_found"


def test_inspect_shows_what_the_cli_shows(ui_server):
    answer = inspect(ui_server, "data/chat.jsonl", max_length=20)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["path"] == "data/chat.jsonl"
    assert found["model"] == ui_server.base_name
    assert found["format"] == "openai"
    assert found["records"] == 24
    assert found["turns"] == {"user": 24, "assistant": 24}
    assert found["keys"] == {"read": ["messages"], "kept in meta": []}
    assert set(found["token_lengths"]) == {"min", "mean", "p50", "p95", "max"}
    assert sum(b["count"] for b in found["histogram"]) == 24
    assert found["histogram"][0]["lo"] == found["token_lengths"]["min"]
    assert found["histogram"][-1]["hi"] == found["token_lengths"]["max"]
    assert 0 < found["trained_tokens"] < found["total_tokens"]
    assert found["trained_share"] == round(found["trained_tokens"] / found["total_tokens"], 4)
    segments = found["first_example"]
    assert any(trained for _, trained in segments) and any(not trained for _, trained in segments)
    assert "".join(text for text, trained in segments if trained).strip()
    over = found["overlong"]
    assert over["max_length"] == 20 and over["overlong"] > 0
    assert over["first"]["where"].startswith("data/chat.jsonl: record ")


def test_inspect_of_an_unknown_format_is_the_clis_message(ui_server):
    answer = inspect(ui_server, "data/chat.jsonl", format="bogus")
    assert answer.status_code == 400
    assert "data/chat.jsonl: unknown format 'bogus'" in answer.json()["error"]["message"]


def test_a_broken_jsonl_gets_the_message_the_cli_prints(ui_server, tiny_model_dir):
    (ui_server.workspace / "data" / "broken.jsonl").write_text(BROKEN, encoding="utf-8")
    answer = inspect(ui_server, "data/broken.jsonl")
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert message.startswith("data/broken.jsonl:2: ")

    assert cli_error(ui_server.workspace, "data/broken.jsonl", tiny_model_dir) == message


def cli_error(workspace: Path, relative: str, model: Path) -> str:
    """What `tunesmith data inspect RELATIVE` prints after `error: `, run in the workspace (as a user would)."""
    tunesmith = str(Path(sys.executable).with_name("tunesmith"))  # the installed command
    command = [tunesmith, "data", "inspect", relative, "--model", str(model)]
    cli = subprocess.run(command, cwd=workspace, capture_output=True, text=True, timeout=300)
    assert cli.returncode == 2, cli.stderr
    printed = " ".join(cli.stderr.split())  # rich may wrap a long line
    assert printed.startswith("error: "), cli.stderr
    return printed.removeprefix("error: ")


def test_the_routes_are_documented_in_the_openapi_schema(ui_server):
    schema = httpx.get(f"{ui_server.root}/openapi.json", headers=AUTH).json()
    for path in ("/ui/api/data/upload", "/ui/api/data/files", "/ui/api/data/inspect"):
        assert path in schema["paths"], path
    assert "InspectOut" in schema["components"]["schemas"]


def test_an_upload_over_the_body_limit_but_under_the_upload_limit_is_saved(ui_server):
    body = jsonl(chat_rows(24)) * 500  # about 1.3 MB: over max_body_bytes (1 MB), far under max_upload_bytes
    assert len(body) > ui_server.app.state.server.settings.max_body_bytes
    answer = upload(ui_server, "large.jsonl", body)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("lengths", [[7], [5, 5, 5], list(range(1, 101)), [3, 1000, 40, 41], [10, 29]])
def test_length_bins_cover_every_record_in_at_most_twenty_equal_bins(lengths):
    from tunesmith.ui.data.inspect import length_bins

    bins = length_bins(lengths)
    assert 1 <= len(bins) <= 20
    assert sum(b.count for b in bins) == len(lengths)
    assert bins[0].lo == min(lengths) and bins[-1].hi == max(lengths)
    assert all(later.lo == earlier.hi + 1 for earlier, later in zip(bins, bins[1:]))
    assert length_bins([]) == []
