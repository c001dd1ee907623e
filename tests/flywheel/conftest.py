"""Flywheel fixtures: quickstart traffic logged by a live `tunesmith serve --upstream` in front of a fake teacher,
and a live server on the tiny model for the student to be promoted to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.flywheel.teacher import quickstart_pairs, teacher_handler

KEY = "sk-flywheel-0123456789"
KEY_ENV = "TUNESMITH_TEST_FLYWHEEL_KEY"
TEACHER = "teacher-large"
UNIQUE, REPEATED = 36, 4  # 40 requests: 36 distinct prompts, the first 4 asked twice


@dataclass
class Logged:
    """A store of logged teacher traffic and what went into it."""

    store: Path
    ids: list[str]  # response ids, in the order asked
    prompts: list[str]  # each request's prompt
    answers: dict[str, str]  # the teacher's answer to each prompt
    corrected: str  # the request given a correction
    correction: str
    rated_down: str  # the request rated down, without a correction


@pytest.fixture(scope="session")
def logged(tmp_path_factory) -> Logged:
    """40 quickstart requests answered by the fake teacher through `tunesmith serve --upstream`, plus feedback."""
    from openai import OpenAI

    from tests.data.fake_openai import FakeOpenAI
    from tests.serve.live import LiveServer
    from tunesmith.serve.launch import ServeOptions, build

    pairs = quickstart_pairs(UNIQUE)
    answers = dict(pairs)
    prompts = [p for p, _ in pairs] + [p for p, _ in pairs[:REPEATED]]
    path = tmp_path_factory.mktemp("teacher-log") / "logs.db"
    with FakeOpenAI(teacher_handler(answers)) as teacher, pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNESMITH_TEST_TEACHER_KEY", "sk-teacher-key")
        options = ServeOptions(
            model=TEACHER, upstream=teacher.base_url, upstream_key_env="TUNESMITH_TEST_TEACHER_KEY",
            store=str(path),
        )  # fmt: skip
        patch.setenv("TUNESMITH_API_KEYS", KEY)
        patch.setenv("TUNESMITH_KEY_SECRET", "a-test-secret-of-32-characters-or-more")
        app, store = build(options)
        with LiveServer(app) as live:
            client = OpenAI(base_url=live.base_url, api_key=KEY, max_retries=0, timeout=30)
            ids = []
            for prompt in prompts:
                messages = [{"role": "user", "content": prompt}]
                reply = client.chat.completions.create(model=TEACHER, messages=messages, extra_body={"tags": ["prod"]})
                assert reply.choices[0].message.content == answers[prompt]
                ids.append(reply.id)
            person = json.loads(answers[prompts[5]])
            correction = json.dumps({**person, "city": "Atlantis"})
            auth = {"Authorization": f"Bearer {KEY}"}
            for body in ({"request_id": ids[5], "correction": correction}, {"request_id": ids[6], "rating": "down"}):
                assert httpx.post(f"{live.base_url}/feedback", json=body, headers=auth).status_code == 200
        store.close()
        assert len(teacher.requests) == len(prompts)
        assert teacher.requests[0].headers["authorization"] == "Bearer sk-teacher-key"
    return Logged(path, ids, prompts, answers, ids[5], correction, ids[6])


@dataclass
class StudentServer:
    root: str
    store: object


@pytest.fixture(scope="module")
def student_server(tmp_path_factory, tiny_model_dir, monkeypatch_module):
    """`tunesmith serve` on the tiny model, no adapters yet, behind the admin key KEY (found by the flywheel in
    KEY_ENV), adapters loadable from anywhere in the tests' temporary folder (where the flywheel's runs go)."""
    from tests.serve.live import LiveServer
    from tunesmith.serve.adapters import plan
    from tunesmith.serve.app import ServerSettings, create_app
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.store import Store

    monkeypatch_module.setenv(KEY_ENV, KEY)
    backend = TransformersBackend(plan(str(tiny_model_dir), []), queue_size=32, max_batch=8)
    store = Store(tmp_path_factory.mktemp("student-log") / "logs.db")
    settings = ServerSettings(admin_keys=(KEY,), adapter_roots=(tmp_path_factory.getbasetemp(),), max_tokens=64)
    with LiveServer(create_app(backend, store, settings)) as live:
        yield StudentServer(live.root, store)
    store.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def served_models(root: str) -> list[str]:
    reply = httpx.get(f"{root}/v1/models", headers={"Authorization": f"Bearer {KEY}"})
    return [card["id"] for card in reply.json()["data"]]


def flywheel_raw(logged: Logged, tiny_model_dir: Path, out: Path, name: str, server: str | None, **promote) -> dict:
    """A flywheel recipe for the logged traffic: the tiny model as the student base, two training steps."""
    return {
        "store": str(logged.store),
        "teacher_model": TEACHER,
        "filter": {"tag": "prod"},
        "holdout": {"share": 0.25, "seed": 2},  # seed 2 holds out the corrected request's prompt
        "train": {
            "model": str(tiny_model_dir),
            "data": {"validation_split": 0.0},
            "method": {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
            "train": {"max_steps": 2, "batch_size": 8, "learning_rate": 1e-3, "logging_steps": 1, "max_length": 192},
        },
        "compare": {
            "metrics": ["json", "exact_match"],
            "json_fields": ["name", "gender", "age", "city", "phone"],
            "max_new_tokens": 12,
        },
        "promote": {"server": server, "api_key_env": KEY_ENV, **promote},
        "output": {"dir": str(out), "name": name},
    }
