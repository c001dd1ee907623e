"""Feedback on logged requests, and curation of the log into SFT, preference and KTO datasets."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from tests.serve.conftest import KEY
from tunesmith.errors import InputError
from tunesmith.serve.export import export_logs, kto_rows, preference_rows, sft_rows
from tunesmith.serve.logfilter import LogFilter
from tunesmith.serve.store import Feedback, LoggedRequest, Store

AUTH = {"Authorization": f"Bearer {KEY}"}


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_feedback_and_export_round_trip_through_the_server(client, served, tmp_path):
    asked = [{"role": "user", "content": "Capital of France?"}]
    reply = client.chat.completions.create(
        model="alpha", messages=asked, max_tokens=6, temperature=0, extra_body={"tags": ["roundtrip"]}
    )
    original = reply.choices[0].message.content
    answer = httpx.post(
        f"{served.base_url}/feedback",
        json={"request_id": reply.id, "rating": "down", "correction": "Paris."},
        headers=AUTH,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["request_id"] == reply.id and answer.json()["correction"] == "Paris."

    where = LogFilter(tag="roundtrip")
    assert export_logs(served.store, where, "sft", tmp_path / "sft.jsonl") == 1
    (row,) = read_jsonl(tmp_path / "sft.jsonl")
    assert row["messages"] == [*asked, {"role": "assistant", "content": "Paris."}]
    assert row["meta"]["request_id"] == reply.id and row["meta"]["source"] == "corrected"

    assert export_logs(served.store, where, "preference", tmp_path / "pref.jsonl") == 1
    (pair,) = read_jsonl(tmp_path / "pref.jsonl")
    assert pair["prompt"] == asked
    assert pair["chosen"] == [{"role": "assistant", "content": "Paris."}]
    assert pair["rejected"] == [{"role": "assistant", "content": original}]

    assert export_logs(served.store, where, "kto", tmp_path / "kto.jsonl") == 2
    labelled = {(r["completion"][0]["content"], r["label"]) for r in read_jsonl(tmp_path / "kto.jsonl")}
    assert labelled == {("Paris.", True), (original, False)}


def test_feedback_needs_a_known_request_and_something_to_say(served):
    unknown = httpx.post(f"{served.base_url}/feedback", json={"request_id": "chatcmpl-x", "rating": "up"}, headers=AUTH)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "request_not_found"
    empty = httpx.post(f"{served.base_url}/feedback", json={"request_id": "chatcmpl-x"}, headers=AUTH)
    assert empty.status_code == 400
    bad = httpx.post(f"{served.base_url}/feedback", json={"request_id": "x", "rating": "meh"}, headers=AUTH)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "rating"


def logged(rid: str, output: str, *feedback: Feedback, endpoint: str = "chat", model: str = "m", **kw) -> LoggedRequest:
    prompt = {"messages": [{"role": "user", "content": f"q-{rid}"}]} if endpoint == "chat" else {"prompt": f"q-{rid}"}
    return LoggedRequest(id=rid, endpoint=endpoint, model=model, output=output, feedback=list(feedback), **prompt, **kw)


def test_sft_rows_replace_corrections_and_drop_answers_rated_down():
    rows = sft_rows(
        [
            logged("a", "fine"),
            logged("b", "bad", Feedback("b", rating="down")),
            logged("c", "bad", Feedback("c", rating="down"), Feedback("c", correction="good")),
            logged("d", "ok", Feedback("d", rating="up")),
        ]
    )
    assert [r["messages"][-1]["content"] for r in rows] == ["fine", "good", "ok"]
    assert [r["meta"]["source"] for r in rows] == ["logged", "corrected", "logged"]


def test_text_completions_export_as_prompt_completion():
    rows = sft_rows([logged("a", " there", endpoint="completions")])
    assert rows[0]["prompt"] == "q-a" and rows[0]["completion"] == " there"
    pairs = preference_rows([logged("b", "x", Feedback("b", correction="y"), endpoint="completions")])
    assert (pairs[0]["prompt"], pairs[0]["chosen"], pairs[0]["rejected"]) == ("q-b", "y", "x")


def test_preference_and_kto_rows_come_from_feedback_only():
    entries = [
        logged("a", "plain"),
        logged("b", "same", Feedback("b", correction="same")),  # a "correction" equal to the answer says nothing
        logged("c", "liked", Feedback("c", rating="up")),
        logged("d", "disliked", Feedback("d", rating="down")),
    ]
    assert preference_rows(entries) == []
    assert [(r["completion"][0]["content"], r["label"]) for r in kto_rows(entries)] == [
        ("liked", True),
        ("disliked", False),
    ]


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "log.db")
    yield store
    store.close()


def test_export_filters_by_time_model_tag_and_feedback(store, tmp_path):
    day = datetime(2026, 3, 1)
    store.log(logged("old", "o", created_at=day - timedelta(days=3), tags=["x"]))
    store.log(logged("new", "n", created_at=day, tags=["x", "y"]))
    store.log(logged("other", "t", created_at=day, model="m2", tags=["y"]))
    store.log(logged("failed", "", created_at=day, status="error"))
    store.add_feedback(Feedback("new", rating="up"))
    out = tmp_path / "out.jsonl"

    def exported(**where):
        export_logs(store, LogFilter(**where), "sft", out)
        return [r["meta"]["request_id"] for r in read_jsonl(out)]

    assert exported() == ["old", "new", "other"]  # errors are never exported
    assert exported(since=day - timedelta(days=1)) == ["new", "other"]
    assert exported(until=day) == ["old"]
    assert exported(tag="y") == ["new", "other"]
    assert exported(feedback="up") == ["new"]
    assert exported(feedback="none") == ["old", "other"]
    assert exported(model="m2") == ["other"]
    with pytest.raises(InputError, match="no logged requests"):
        export_logs(store, LogFilter(model="nobody"), "sft", tmp_path / "none.jsonl")
    assert not (tmp_path / "none.jsonl").exists()


def test_export_refuses_mixed_endpoints_and_unknown_formats(store, tmp_path):
    store.log(logged("a", "x"))
    store.log(logged("b", "y", endpoint="completions"))
    with pytest.raises(InputError, match="--endpoint"):
        export_logs(store, LogFilter(), "sft", tmp_path / "o.jsonl")
    assert export_logs(store, LogFilter(endpoint="completions"), "sft", tmp_path / "o.jsonl") == 1
    with pytest.raises(InputError, match="expected one of sft, preference, kto"):
        export_logs(store, LogFilter(), "dpo", tmp_path / "o.jsonl")


def test_exported_sft_reads_back_as_a_canonical_dataset(store, tmp_path):
    from tunesmith.data.formats import detect_format, to_messages
    from tunesmith.data.io import read_records

    store.log(logged("a", "answer a"))
    store.log(logged("b", "answer b", Feedback("b", correction="fixed b")))
    export_logs(store, LogFilter(), "sft", tmp_path / "sft.jsonl")
    records = list(read_records(tmp_path / "sft.jsonl"))
    fmt = detect_format(records)
    assert fmt == "openai"
    assert [to_messages(r, w, fmt)[-1]["content"] for w, r in records] == ["answer a", "fixed b"]


def test_a_tool_calling_exchange_exports_as_tool_use_training_data(store, tmp_path):
    from tunesmith.data.loading import load_messages

    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}
    messages = [
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "content": '{"temp": 3}', "tool_call_id": "c1"},
    ]
    store.log(
        LoggedRequest(id="t", endpoint="chat", model="m", output="It is 3.", messages=messages, params={"tools": tools})
    )
    store.log(
        LoggedRequest(
            id="u",
            endpoint="chat",
            model="m",
            messages=messages[:1],
            params={"tools": tools},
            output='<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>',
        )
    )
    export_logs(store, LogFilter(), "sft", tmp_path / "sft.jsonl")
    _, rows = load_messages(tmp_path / "sft.jsonl")
    assert rows[0]["tools"] == tools and rows[0]["messages"][1]["tool_calls"][0]["id"] == "c1"
    assert rows[0]["messages"][2]["tool_call_id"] == "c1"
    reply = rows[1]["messages"][-1]
    assert reply["content"] == "" and reply["tool_calls"][0]["function"]["arguments"] == '{"city": "Oslo"}'
