"""Fine-tuning API fixtures: OpenAI-format training files and a live server on the tiny model with two keys."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import QUESTIONS

KEY = "sk-owner-0123456789"
OTHER_KEY = "sk-other-0123456789"


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def chat_rows(n: int = 20) -> list[dict]:
    """`n` OpenAI chat examples (system, user, assistant)."""
    pairs = (QUESTIONS * (n // len(QUESTIONS) + 1))[:n]
    system = {"role": "system", "content": "Answer in one or two words."}
    return [
        {"messages": [system, {"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in pairs
    ]


def dpo_rows(n: int = 12) -> list[dict]:
    """`n` examples in OpenAI's DPO format (input, preferred_output, non_preferred_output)."""
    pairs = (QUESTIONS * (n // len(QUESTIONS) + 1))[:n]
    return [
        {
            "input": {"messages": [{"role": "user", "content": q}]},
            "preferred_output": [{"role": "assistant", "content": a}],
            "non_preferred_output": [{"role": "assistant", "content": "I do not know."}],
        }
        for q, a in pairs
    ]


def wait_for(client, job_id: str, statuses: tuple[str, ...], timeout: float = 300.0):
    """Poll the job until its status is one of `statuses`; the job."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in statuses:
            return job
        if job.status in ("failed", "succeeded", "cancelled") or time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is {job.status} (error: {job.error}); waited for {statuses}")
        time.sleep(0.5)


def all_events(client, job_id: str) -> list:
    """Every event of the job, oldest first, read page by page as a client would."""
    found, after = [], None
    while True:
        page = client.fine_tuning.jobs.list_events(job_id, limit=50, **({"after": after} if after else {}))
        found += page.data
        if not page.has_more:
            return list(reversed(found))
        after = page.data[-1].id


@dataclass
class FineTuningServer:
    base_url: str
    base_name: str
    root: Path


@pytest.fixture(scope="module")
def ft_server(tmp_path_factory, tiny_model_dir):
    """The tiny model served with the fine-tuning API on; keys KEY and OTHER_KEY."""
    from tests.serve.live import LiveServer
    from tunesmith.serve.adapters import plan
    from tunesmith.serve.app import ServerSettings, create_app
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.finetuning import open_fine_tuning
    from tunesmith.serve.store import Store

    served = plan(str(tiny_model_dir), [])
    backend = TransformersBackend(served, queue_size=8, max_batch=8)
    root = tmp_path_factory.mktemp("fine-tuning")
    store = Store(root / "store.db")
    service = open_fine_tuning(root, store.url, backend)
    settings = ServerSettings(api_keys=(KEY, OTHER_KEY), max_tokens=16)
    with LiveServer(create_app(backend, store, settings, service)) as live:
        yield FineTuningServer(live.base_url, served.base_name, root)
    store.close()


@pytest.fixture
def client(ft_server):
    from openai import OpenAI

    return OpenAI(base_url=ft_server.base_url, api_key=KEY, max_retries=0, timeout=60)


@pytest.fixture
def other_client(ft_server):
    from openai import OpenAI

    return OpenAI(base_url=ft_server.base_url, api_key=OTHER_KEY, max_retries=0, timeout=60)
