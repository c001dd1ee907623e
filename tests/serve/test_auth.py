"""Keys, key ids, rate limits and body limits, on an app over a model-free backend."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.serve.fakes import EchoBackend
from tests.serve.live import LiveServer
from tunesmith.errors import InputError
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.auth import Identity, KeyRing, RateLimiter
from tunesmith.serve.keys import ApiKey, key_id, key_secret, keys_from_env, merge_keys, read_keys_file
from tunesmith.serve.store import Store

KEYS = ("sk-first-key-123", "sk-second-key-456")
ADMIN = "sk-admin-key-0000"


def test_key_ids_are_keyed_hashes_that_name_a_key_and_its_role():
    secret, other = b"s" * 32, b"t" * 32
    assert key_id(KEYS[0], secret) == key_id(KEYS[0], secret) != key_id(KEYS[1], secret)
    assert key_id(KEYS[0], secret) != key_id(KEYS[0], other)  # without the secret, guesses can't be checked
    assert key_id(KEYS[0], secret).startswith("key-") and len(key_id(KEYS[0], secret)) == 20
    assert "first" not in key_id(KEYS[0], secret)
    ring = KeyRing([ApiKey(KEYS[0]), ApiKey(KEYS[1], "admin")], secret)
    assert ring.identify(f"Bearer {KEYS[1]}") == Identity(key_id(KEYS[1], secret), "admin")
    assert ring.identify(f"bearer  {KEYS[0]} ") == Identity(key_id(KEYS[0], secret), "inference")
    assert ring.identify(KEYS[1]) is None and ring.identify(None) is None and ring.identify("Bearer ") is None
    assert KEYS[0] not in repr(ApiKey(KEYS[0]))
    with pytest.raises(ValueError, match="secret"):
        KeyRing([ApiKey(KEYS[0])], b"")


def test_keys_file_has_roles_and_names_the_line_of_a_bad_key(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("# team keys\n\nsk-first-key-123\n  admin  sk-second-key-456  \n")
    assert read_keys_file(path) == [ApiKey(KEYS[0], "inference"), ApiKey(KEYS[1], "admin")]
    path.write_text("sk-first-key-123\nshort\n")
    with pytest.raises(InputError, match=r"keys.txt:2: a key must be at least 16") as caught:
        read_keys_file(path)
    assert "short" not in str(caught.value)  # a key, even a bad one, is never echoed
    path.write_text("root sk-first-key-123\n")
    with pytest.raises(InputError, match=r"keys.txt:1: expected `KEY` or `ROLE KEY`"):
        read_keys_file(path)
    path.write_text("# nothing\n")
    with pytest.raises(InputError, match="no keys"):
        read_keys_file(path)
    with pytest.raises(InputError, match="cannot read"):
        read_keys_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="both an admin and an inference key"):
        merge_keys([ApiKey(KEYS[0]), ApiKey(KEYS[0], "admin")])


def test_keys_from_the_environment():
    env = {"TUNESMITH_API_KEYS": f"{KEYS[0]}, {KEYS[1]}", "TUNESMITH_ADMIN_KEYS": "sk-admin-key-7890"}
    assert keys_from_env(env) == [ApiKey(KEYS[0]), ApiKey(KEYS[1]), ApiKey("sk-admin-key-7890", "admin")]
    with pytest.raises(InputError, match="TUNESMITH_ADMIN_KEYS: a key must be"):
        keys_from_env({"TUNESMITH_ADMIN_KEYS": "tiny"})


def test_the_key_id_secret_is_made_once_owner_only_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("TUNESMITH_KEY_SECRET", raising=False)
    path = tmp_path / "cfg" / "key-secret"
    first = key_secret(path)
    assert len(first) >= 32 and key_secret(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("TUNESMITH_KEY_SECRET", "from-the-environment-0123456789abcdef")
    assert key_secret(path) == b"from-the-environment-0123456789abcdef"


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
    settings = ServerSettings(
        api_keys=KEYS, admin_keys=(ADMIN,), max_tokens=16, max_body_bytes=2_000, rate_limit=3, feedback_rate_limit=2
    )
    with LiveServer(create_app(EchoBackend(), store, settings)) as live:
        live.settings = settings
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
    ids = [live.settings.key_id(k) for k in KEYS]
    assert [r.key_id for r in store.query()] == [ids[0]] * 3 + [ids[1]]


def test_the_key_is_checked_before_the_body(echo):
    live, _ = echo
    huge = httpx.post(f"{live.base_url}/chat/completions", content=b"x" * 5000)
    assert huge.status_code == 401
    headers = {"Authorization": f"Bearer {KEYS[0]}"}
    assert httpx.post(f"{live.base_url}/chat/completions", content=b"x" * 5000, headers=headers).status_code == 413


def test_admin_routes_are_for_admin_keys_only(echo):
    live, _ = echo
    for key in KEYS:
        response = httpx.delete(f"{live.root}/admin/adapters/a", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 403 and response.json()["error"]["code"] == "insufficient_permissions"
    admin = {"Authorization": f"Bearer {ADMIN}"}
    response = httpx.delete(f"{live.root}/admin/adapters/a", headers=admin)
    assert response.status_code == 501 and response.json()["error"]["code"] == "not_supported"
    ask = [{"role": "user", "content": "hello world"}]  # an admin key is also an inference key
    client = openai.OpenAI(base_url=live.base_url, api_key=ADMIN, max_retries=0)
    assert client.chat.completions.create(model="echo", messages=ask).choices[0].message.content == "dlrow olleh"


def test_admin_routes_are_closed_on_a_server_without_keys(tmp_path):
    store = Store(tmp_path / "log.db")
    with LiveServer(create_app(EchoBackend(), store, ServerSettings(adapter_roots=(tmp_path,)))) as live:
        response = httpx.post(f"{live.root}/admin/adapters", json={"name": "a", "path": "x"})
        assert response.status_code == 403 and "without an admin key" in response.json()["error"]["message"]
        assert httpx.get(f"{live.base_url}/models").status_code == 200  # inference stays open on loopback
    store.close()


def test_feedback_only_from_the_key_that_asked_and_rate_limited(echo):
    live, store = echo
    ask = [{"role": "user", "content": "hello world"}]
    asked = openai.OpenAI(base_url=live.base_url, api_key=KEYS[0], max_retries=0)
    reply = asked.chat.completions.create(model="echo", messages=ask)
    other = {"Authorization": f"Bearer {KEYS[1]}"}
    response = httpx.post(f"{live.base_url}/feedback", json={"request_id": reply.id, "rating": "down"}, headers=other)
    missing = httpx.post(f"{live.base_url}/feedback", json={"request_id": "chatcmpl-x", "rating": "up"}, headers=other)
    assert response.status_code == missing.status_code == 404
    assert response.json()["error"]["message"].replace(reply.id, "ID") == missing.json()["error"]["message"].replace(
        "chatcmpl-x", "ID"
    )  # another key's request is answered as if it did not exist
    own = {"Authorization": f"Bearer {KEYS[0]}"}
    body = {"request_id": reply.id, "rating": "up"}
    for _ in range(2):
        assert httpx.post(f"{live.base_url}/feedback", json=body, headers=own).status_code == 200
    limited = httpx.post(f"{live.base_url}/feedback", json=body, headers=own)  # 2 a minute: the bucket is empty
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert [f.rating for f in store.get(reply.id).feedback] == ["up", "up"]
