"""Keys, key ids, rate limits and body limits, on an app over a model-free backend."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.serve.fakes import EchoBackend
from tests.serve.live import LiveServer
from tunesmith.errors import InputError
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.auth import KeyRing, RateLimiter, key_id, read_keys_file
from tunesmith.serve.store import Store

KEYS = ("sk-first-key-123", "sk-second-key-456")


def test_key_ids_are_short_stable_hashes():
    assert key_id(KEYS[0]) == key_id(KEYS[0]) != key_id(KEYS[1])
    assert key_id(KEYS[0]).startswith("key-") and len(key_id(KEYS[0])) == 16
    assert "first" not in key_id(KEYS[0])
    ring = KeyRing(list(KEYS))
    assert ring.identify(f"Bearer {KEYS[1]}") == key_id(KEYS[1])
    assert ring.identify(f"bearer  {KEYS[1]} ") == key_id(KEYS[1])
    assert ring.identify(KEYS[1]) is None and ring.identify(None) is None and ring.identify("Bearer ") is None


def test_keys_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("# team keys\n\nsk-first-key-123\n  sk-second-key-456  \n")
    assert read_keys_file(path) == list(KEYS)
    path.write_text("short\n")
    with pytest.raises(InputError, match="key 1"):
        read_keys_file(path)
    path.write_text("# nothing\n")
    with pytest.raises(InputError, match="no keys"):
        read_keys_file(path)
    with pytest.raises(InputError, match="cannot read"):
        read_keys_file(tmp_path / "missing.txt")


def test_rate_limiter_is_a_token_bucket_per_key():
    now = [0.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0])
    assert limiter.check("a") == 0.0 and limiter.check("a") == 0.0
    assert limiter.check("a") == pytest.approx(30.0)  # one request every 30 s
    assert limiter.check("b") == 0.0  # another key has its own bucket
    now[0] = 30.0
    assert limiter.check("a") == 0.0
    assert limiter.check("a") > 0
    assert RateLimiter(0).check("a") == 0.0


@pytest.fixture
def echo(tmp_path):
    store = Store(tmp_path / "log.db")
    settings = ServerSettings(api_keys=KEYS, max_tokens=16, max_body_bytes=2_000, rate_limit=3)
    with LiveServer(create_app(EchoBackend(), store, settings)) as live:
        yield live, store
    store.close()


def test_each_key_has_its_own_rate_limit(echo):
    live, store = echo
    clients = [openai.OpenAI(base_url=live.base_url, api_key=k, max_retries=0) for k in KEYS]
    ask = [{"role": "user", "content": "hello world"}]
    for _ in range(3):
        reply = clients[0].chat.completions.create(model="echo", messages=ask)
        assert reply.choices[0].message.content == "dlrow olleh"
    with pytest.raises(openai.RateLimitError) as caught:
        clients[0].chat.completions.create(model="echo", messages=ask)
    assert caught.value.body["code"] == "rate_limit_exceeded"
    assert int(caught.value.response.headers["retry-after"]) >= 1
    assert clients[1].chat.completions.create(model="echo", messages=ask).choices[0].message.content == "dlrow olleh"
    assert clients[0].models.list().data[0].id == "echo"  # only generation is rate limited
    assert [r.key_id for r in store.query()] == [key_id(KEYS[0])] * 3 + [key_id(KEYS[1])]


def test_the_key_is_checked_before_the_body(echo):
    live, _ = echo
    huge = httpx.post(f"{live.base_url}/chat/completions", content=b"x" * 5000)
    assert huge.status_code == 401
    headers = {"Authorization": f"Bearer {KEYS[0]}"}
    assert httpx.post(f"{live.base_url}/chat/completions", content=b"x" * 5000, headers=headers).status_code == 413


def test_admin_on_a_backend_without_adapters_is_501(echo):
    live, _ = echo
    headers = {"Authorization": f"Bearer {KEYS[0]}"}
    response = httpx.post(f"{live.root}/admin/adapters", json={"name": "a", "path": "/nowhere"}, headers=headers)
    assert response.status_code == 501 and response.json()["error"]["code"] == "not_supported"
