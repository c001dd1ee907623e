"""`tunesmith logs export` as the docs show it works on a log with both endpoints: chat unless told otherwise."""

from __future__ import annotations

import json
import sys

import pytest

from tunesmith.cli.main import main
from tunesmith.serve.store import LoggedRequest, Store


def logged(rid: str, endpoint: str) -> LoggedRequest:
    prompt = {"messages": [{"role": "user", "content": f"q-{rid}"}]} if endpoint == "chat" else {"prompt": f"q-{rid}"}
    return LoggedRequest(id=rid, endpoint=endpoint, model="m", output=f"a-{rid}", **prompt)


def export(monkeypatch, capsys, db, out, *extra) -> tuple[int, list[dict], str]:
    args = ["tunesmith", "logs", "export", "--store", str(db), "--format", "sft", "--out", str(out), *extra]
    monkeypatch.setattr(sys, "argv", args)
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    text = " ".join(capsys.readouterr().out.split())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return code, rows, text


def make_store(path, *entries):
    store = Store(path)
    for entry in entries:
        store.log(entry)
    store.close()
    return path


def test_export_of_a_mixed_log_takes_chat_by_default(tmp_path, monkeypatch, capsys):
    db = make_store(tmp_path / "logs.db", logged("c1", "chat"), logged("t1", "completions"), logged("c2", "chat"))
    code, rows, text = export(monkeypatch, capsys, db, tmp_path / "chat.jsonl")
    assert code == 0 and "from chat requests" in text
    assert [r["meta"]["request_id"] for r in rows] == ["c1", "c2"] and "messages" in rows[0]

    code, rows, _ = export(monkeypatch, capsys, db, tmp_path / "text.jsonl", "--endpoint", "completions")
    assert code == 0 and [(r["prompt"], r["completion"]) for r in rows] == [("q-t1", "a-t1")]


def test_a_completions_only_log_exports_its_completions(tmp_path, monkeypatch, capsys):
    db = make_store(tmp_path / "logs.db", logged("t1", "completions"))
    code, rows, text = export(monkeypatch, capsys, db, tmp_path / "text.jsonl")
    assert code == 0 and "from completions requests" in text and rows[0]["prompt"] == "q-t1"


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
