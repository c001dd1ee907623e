"""Proxy mode: `tunesmith serve --upstream URL` forwards to an OpenAI-compatible teacher and logs like a local model.

Two teachers, both started by the tests on 127.0.0.1: a tunesmith server over the EchoBackend (it streams, sends
`usage`, checks keys and answers errors the OpenAI way), and tests/data/fake_openai.py (one JSON body per request,
whatever the test's handler says, recording what it received).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import openai
import pytest

from tests.data.fake_openai import FakeOpenAI, completion
from tests.serve.fakes import EchoBackend
from tests.serve.live import LiveServer, free_port
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.launch import ServeOptions, build
from tunesmith.serve.store import Store

TEACHER_KEY = "sk-teacher-0123456789"
HELLO = [{"role": "user", "content": "hello big world"}]  # the echo teacher answers "dlrow gib olleh"


@pytest.fixture
def teacher(tmp_path) -> Iterator[LiveServer]:
    """An OpenAI-compatible teacher serving `echo`, key TEACHER_KEY, at most 64 tokens per request."""
    store = Store(tmp_path / "teacher.db")
    settings = ServerSettings(api_keys=(TEACHER_KEY,), max_tokens=64)
    with LiveServer(create_app(EchoBackend(), store, settings)) as live:
        yield live
    store.close()


@contextmanager
def proxy(tmp_path, url: str, **options) -> Iterator[tuple[openai.OpenAI, Store]]:
    """A proxy server to `url` built as `tunesmith serve` builds it; yields an openai client for it and its store."""
    app, store = build(ServeOptions(upstream=url, store=str(tmp_path / "proxy.db"), **options))
    try:
        with LiveServer(app) as live:
            yield openai.OpenAI(base_url=live.base_url, api_key="unused", max_retries=0, timeout=30), store
    finally:
        store.close()


@pytest.fixture
def echo_proxy(tmp_path, teacher, monkeypatch):
    monkeypatch.setenv("TEACHER_KEY", TEACHER_KEY)
    with proxy(tmp_path, teacher.base_url, model="echo", upstream_key_env="TEACHER_KEY") as served:
        yield served


def logged(store: Store, count: int) -> list:
    """The store's rows once it holds `count` (a stream's error row is written just after its error event)."""
    for _ in range(200):
        if len(rows := store.query()) >= count:
            return rows
        time.sleep(0.05)
    return store.query()


def deltas(stream) -> list[str]:
    return [chunk.choices[0].delta.content for chunk in stream if chunk.choices and chunk.choices[0].delta.content]


def test_plain_and_streamed_chat_pass_through_and_are_logged_with_the_teachers_usage(echo_proxy, teacher):
    client, store = echo_proxy
    reply = client.chat.completions.create(
        model="echo", messages=HELLO, max_tokens=16, extra_body={"tags": ["teacher"]}
    )
    assert reply.choices[0].message.content == "dlrow gib olleh"
    assert reply.choices[0].finish_reason == "stop" and reply.model == "echo"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (3, 3)  # the echo teacher's own counts

    stream = client.chat.completions.create(
        model="echo", messages=HELLO, max_tokens=16, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert deltas(chunks) == ["dlrow", " gib", " olleh"]  # chunk by chunk, as the teacher sent them
    direct = openai.OpenAI(base_url=teacher.base_url, api_key=TEACHER_KEY, max_retries=0)
    assert deltas(direct.chat.completions.create(model="echo", messages=HELLO, stream=True)) == deltas(chunks)
    assert chunks[-1].usage.completion_tokens == 3

    rows = {row.id: row for row in store.query()}
    assert set(rows) == {reply.id, chunks[0].id}  # one row per request, under the id the client got
    for row in rows.values():
        assert row.status == "ok" and row.model == "echo" and row.output == "dlrow gib olleh"
        assert row.messages == HELLO and (row.prompt_tokens, row.completion_tokens) == (3, 3)
    assert rows[reply.id].tags == ["teacher"]


def test_text_completions_and_n_choices_pass_through(echo_proxy):
    client, store = echo_proxy
    text = client.completions.create(model="echo", prompt="one two", max_tokens=8)
    assert text.choices[0].text == "owt eno"
    many = client.chat.completions.create(model="echo", messages=HELLO, max_tokens=8, n=2)
    assert [c.message.content for c in many.choices] == ["dlrow gib olleh"] * 2
    assert many.usage.completion_tokens == 6  # the teacher's total, shared out over the two choices
    assert {row.id: row.completion_tokens for row in store.query()} == {text.id: 2, many.id: 6}


def test_models_lists_what_the_proxy_serves(echo_proxy, teacher, tmp_path, monkeypatch):
    client, _ = echo_proxy
    assert [m.id for m in client.models.list().data] == ["echo"]
    with pytest.raises(openai.NotFoundError):  # a name the proxy does not serve never reaches the teacher
        client.chat.completions.create(model="gpt-4o", messages=HELLO)
    monkeypatch.setenv("OPENAI_API_KEY", TEACHER_KEY)
    with proxy(tmp_path / "listed", teacher.base_url) as (listed, _):  # no name given: the teacher's own list
        assert [m.id for m in listed.models.list().data] == ["echo"]


def test_request_forwarded_with_key_renamed_model_and_teacher_usage(tmp_path, monkeypatch):
    usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    with FakeOpenAI(lambda body: (200, {**completion('{"city": "Paris"}', body["model"]), "usage": usage})) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-upstream-secret")
        with proxy(tmp_path, fake.base_url, model="teacher", upstream_model="gpt-4o-mini") as (client, store):
            reply = client.chat.completions.create(
                model="teacher",
                messages=[{"role": "user", "content": "Where is the Louvre?"}],
                max_tokens=20,
                temperature=0,
                stop=["\n\n"],
                response_format={"type": "json_schema", "json_schema": {"name": "place", "schema": schema}},
            )
            rows = store.query()
    assert reply.choices[0].message.content == '{"city": "Paris"}' and reply.model == "teacher"
    sent = fake.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.headers["authorization"] == "Bearer sk-upstream-secret"
    assert sent.body["model"] == "gpt-4o-mini" and sent.body["messages"] == [
        {"role": "user", "content": "Where is the Louvre?"}
    ]
    assert (sent.body["max_tokens"], sent.body["temperature"], sent.body["stop"]) == (20, 0.0, ["\n\n"])
    assert sent.body["response_format"] == {"type": "json_schema", "json_schema": {"name": "place", "schema": schema}}
    assert [(r.id, r.prompt_tokens, r.completion_tokens, r.output) for r in rows] == [
        (reply.id, 11, 7, '{"city": "Paris"}')
    ]


def test_upstream_down_is_502_with_an_openai_error_body_and_logged(tmp_path):
    with proxy(tmp_path, f"http://127.0.0.1:{free_port()}/v1", model="teacher") as (client, store):
        with pytest.raises(openai.InternalServerError) as caught:
            client.chat.completions.create(model="teacher", messages=HELLO)
        assert caught.value.status_code == 502
        assert caught.value.body["code"] == "upstream_unreachable" and caught.value.body["type"] == "server_error"
        with pytest.raises(openai.APIError, match="Could not reach the upstream"):  # streamed: an error event
            list(client.chat.completions.create(model="teacher", messages=HELLO, stream=True))
        rows = logged(store, 2)
    assert [r.status for r in rows] == ["error", "error"] and all("Could not reach" in r.error for r in rows)


def test_upstream_4xx_passes_through(echo_proxy, tmp_path, teacher, monkeypatch):
    client, store = echo_proxy
    with pytest.raises(openai.BadRequestError) as caught:  # the teacher allows 64 tokens, the proxy 512
        client.chat.completions.create(model="echo", messages=HELLO, max_tokens=100)
    assert caught.value.status_code == 400 and caught.value.body["param"] == "max_tokens"
    assert "at most 64" in caught.value.body["message"]
    with pytest.raises(openai.APIError, match="at most 64"):  # streamed: the stream has begun, so an error event
        list(client.chat.completions.create(model="echo", messages=HELLO, max_tokens=100, stream=True))
    assert [(r.status, r.model) for r in logged(store, 2)] == [("error", "echo")] * 2

    monkeypatch.setenv("TEACHER_KEY", TEACHER_KEY)
    renamed = {"model": "echo", "upstream_model": "nope", "upstream_key_env": "TEACHER_KEY"}
    with (
        proxy(tmp_path / "renamed", teacher.base_url, **renamed) as (other, _),
        pytest.raises(openai.NotFoundError) as caught,
    ):
        other.chat.completions.create(model="echo", messages=HELLO, max_tokens=8)
    assert caught.value.body["code"] == "model_not_found"


def test_teacher_refusing_the_servers_key_is_502_not_401(tmp_path, teacher, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-000")
    with proxy(tmp_path, teacher.base_url, model="echo") as (client, _), pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="echo", messages=HELLO)
    assert caught.value.status_code == 502 and caught.value.body["code"] == "upstream_auth"


def test_requests_in_flight_are_bounded_by_the_queue_size(tmp_path):
    release, arrived = threading.Event(), threading.Event()

    def slow(body: dict) -> str:
        arrived.set()
        release.wait(30)
        return "late"

    with FakeOpenAI(slow) as fake, proxy(tmp_path, fake.base_url, model="teacher", queue_size=1) as (client, _):
        first: list = []
        worker = threading.Thread(
            target=lambda: first.append(client.chat.completions.create(model="teacher", messages=HELLO))
        )
        worker.start()
        assert arrived.wait(30)
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="teacher", messages=HELLO)
        release.set()
        worker.join(30)
    assert caught.value.body["code"] == "queue_full" and first[0].choices[0].message.content == "late"


def test_a_teachers_error_fields_of_any_json_type_still_make_an_openai_error_body():
    from tunesmith.serve.backends.upstream import upstream_error

    reply = httpx.Response(400, json={"error": {"message": "bad", "type": 7, "param": ["n"], "code": 400}})
    assert upstream_error(reply).body() == {"error": {"message": "bad", "type": "7", "param": "['n']", "code": 400}}


class BreaksOffMidStream:
    """A teacher that streams two chunks of an answer, then drops the connection."""

    def __init__(self):
        import socket

        self.sock = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _serve(self) -> None:
        import json

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                conn.sendall(head)
                for text in ("Hello", " wor"):
                    event = "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]}) + "\n\n"
                    conn.sendall(f"{len(event.encode()):x}\r\n{event}\r\n".encode())
                # no last chunk and no [DONE]: the connection closes mid-answer

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()


def test_a_teacher_breaking_off_mid_stream_ends_the_stream_with_an_openai_error_event(tmp_path):
    with BreaksOffMidStream() as teacher, proxy(tmp_path, teacher.base_url, model="teacher") as (client, store):
        stream = client.chat.completions.create(model="teacher", messages=HELLO, stream=True)
        received = []
        with pytest.raises(openai.APIError, match="broke off its answer") as caught:
            for chunk in stream:
                received.extend(c.delta.content for c in chunk.choices if c.delta.content)
        assert received == ["Hello", " wor"]  # what had come through before the break reached the client
        assert "127.0.0.1" not in str(caught.value)  # the teacher's address stays in the server's log
        rows = logged(store, 1)
    assert rows[0].status == "error" and rows[0].output == "Hello wor"
