"""The chat page's API: save an exchange into a workspace dataset (checked, atomic, confined to data/), list the
datasets; and a server without retrieval refuses a request that asks for it."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.ui.conftest import ADMIN_KEY

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
EXCHANGE = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "Capital of France?"},
    {"role": "assistant", "content": "Paris."},
]


def append(server, path: str, messages: list[dict]) -> httpx.Response:
    body = {"path": path, "messages": messages}
    return httpx.post(f"{server.root}/ui/api/datasets/append", json=body, headers=ADMIN, timeout=30)


def test_append_creates_then_appends_and_reads_back_as_chat_data(ui_server):
    from tunesmith.data.loading import load_messages

    first = append(ui_server, "data/saved.jsonl", EXCHANGE)
    assert first.status_code == 200, first.text
    assert first.json() == {"path": "data/saved.jsonl", "records": 1}
    more = [*EXCHANGE, {"role": "user", "content": "And of Italy?"}, {"role": "assistant", "content": "Rome."}]
    second = append(ui_server, "data/saved.jsonl", more)
    assert second.json() == {"path": "data/saved.jsonl", "records": 2}
    file = ui_server.workspace / "data" / "saved.jsonl"
    assert [json.loads(line) for line in file.read_text().splitlines()] == [{"messages": EXCHANGE}, {"messages": more}]
    fmt, rows = load_messages(file)
    assert fmt == "openai" and len(rows) == 2 and rows[1]["messages"][-1] == {"role": "assistant", "content": "Rome."}
    assert not [p for p in file.parent.iterdir() if p.name.startswith(".")]  # no temporary file left behind
    listed = httpx.get(f"{ui_server.root}/ui/api/datasets", headers=ADMIN).json()["data"]
    assert {"path": "data/saved.jsonl", "records": 2} in listed
    assert {"path": "data/chat.jsonl", "records": 24} in listed


def test_append_adds_a_line_to_a_file_without_a_final_newline(ui_server):
    file = ui_server.workspace / "data" / "unterminated.jsonl"
    file.write_text(json.dumps({"messages": EXCHANGE}), encoding="utf-8")  # no "\n" at the end
    assert append(ui_server, "data/unterminated.jsonl", EXCHANGE).json()["records"] == 2
    assert len(file.read_text().splitlines()) == 2


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("../x.jsonl", "'../x.jsonl': is not inside the workspace; expected a file in the workspace's data/ folder"),
        ("/etc/x.jsonl", "is not inside the workspace"),
        ("runs/x.jsonl", "runs/x.jsonl: is not inside data/"),
        ("data/../../x.jsonl", "is not inside the workspace"),
        ("data/notes.csv", "data/notes.csv: is not a JSONL file (its suffix is '.csv')"),
    ],
)
def test_append_refuses_a_target_outside_data_or_not_jsonl(ui_server, path, words):
    answer = append(ui_server, path, EXCHANGE)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert words in error["message"] and error["param"] == "path"
    assert not (ui_server.workspace.parent / "x.jsonl").exists()
    assert not (ui_server.workspace / "data" / "notes.csv").exists()


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        (EXCHANGE[:2], "data/bad.jsonl:1: field 'messages[1].role' is 'user'; expected 'assistant' last"),
        (
            [*EXCHANGE[:2], {"role": "assistant", "content": "  "}],
            "data/bad.jsonl:1: field 'messages[2].content' is empty; expected the assistant's answer",
        ),
        ([], "field 'messages' is empty"),
        (
            [{"role": "robot", "content": "hi"}, {"role": "assistant", "content": "x"}],
            "field 'messages[0].role' must be one of system, user, assistant, tool, got 'robot'",
        ),
    ],
)
def test_append_refuses_what_the_readers_would_not_train_on(ui_server, messages, words):
    answer = append(ui_server, "data/bad.jsonl", messages)
    assert answer.status_code == 400
    assert words in answer.json()["error"]["message"]
    assert answer.json()["error"]["param"] == "messages"
    assert not (ui_server.workspace / "data" / "bad.jsonl").exists()


def test_append_refuses_a_file_of_another_format_or_broken_json(ui_server):
    data = ui_server.workspace / "data"
    (data / "alpaca.jsonl").write_text(json.dumps({"instruction": "a", "output": "b"}) + "\n", encoding="utf-8")
    answer = append(ui_server, "data/alpaca.jsonl", EXCHANGE)
    assert answer.status_code == 400
    assert "data/alpaca.jsonl: holds alpaca records; expected a chat file" in answer.json()["error"]["message"]
    (data / "broken.jsonl").write_text('{"messages": [\n', encoding="utf-8")
    broken = append(ui_server, "data/broken.jsonl", EXCHANGE).json()["error"]["message"]
    assert broken.startswith("data/broken.jsonl:1: not valid JSON")
    assert (data / "broken.jsonl").read_text() == '{"messages": [\n'  # untouched


def test_unknown_fields_are_refused(ui_server):
    body = {"path": "data/x.jsonl", "messages": EXCHANGE, "mode": "w"}
    answer = httpx.post(f"{ui_server.root}/ui/api/datasets/append", json=body, headers=ADMIN)
    assert answer.status_code == 400


def test_a_server_without_retrieval_says_so(ui_server):
    answer = httpx.get(f"{ui_server.root}/ui/api/chat/retrieval", headers=ADMIN).json()
    assert answer == {"models": [], "k": 0}
    body = {"model": ui_server.base_name, "messages": [{"role": "user", "content": "hi"}], "retrieval": True}
    refused = httpx.post(f"{ui_server.root}/v1/chat/completions", json=body, headers=ADMIN, timeout=60)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "retrieval"
    assert "answers without retrieval on this server" in refused.json()["error"]["message"]
