"""`serve --rag`: each chat request is answered from retrieved chunks, cites them, and logs their ids."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.serve.fakes import EchoBackend
from tests.serve.live import LiveServer
from tunesmith.errors import InputError
from tunesmith.rag.build import build_index
from tunesmith.rag.config import load_rag_config
from tunesmith.serve.app import create_app
from tunesmith.serve.retrieval import open_retrieval
from tunesmith.serve.store import Store

QUESTION = "What is the default admin PIN of the Quorvia Kettle?"


@pytest.fixture
def index(settings, tmp_path) -> Path:
    cfg, base = load_rag_config(settings())
    build_index(cfg, base, Path(cfg.index))
    return Path(cfg.index)


@pytest.fixture
def live(index, tmp_path):
    """The echo backend (it answers with the prompt it was given, reversed) retrieving 3 chunks per request."""
    store = Store(tmp_path / "logs.db")
    retrieval = open_retrieval([str(index)], 3, None, {"echo"})
    with LiveServer(create_app(EchoBackend(), store, retrieval=retrieval)) as server:
        yield server, store
    store.close()


def test_chat_answers_from_retrieved_chunks_and_cites_them(live):
    from openai import OpenAI

    server, store = live
    client = OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
    reply = client.chat.completions.create(model="echo", messages=[{"role": "user", "content": QUESTION}])
    prompt = reply.choices[0].message.content[::-1]  # what the model was given
    citations = reply.citations  # the openai client keeps the extra field
    assert len(citations) == 3 and citations[0]["id"].startswith("quorvia-kettle.md#")
    assert [c["score"] for c in citations] == sorted((c["score"] for c in citations), reverse=True)
    for c in citations:
        assert f"[{c['id']}]" in prompt
    assert "The default admin PIN of the Quorvia Kettle is 4719" in prompt
    assert prompt.endswith(f"Question: {QUESTION}")
    logged = store.get(reply.id)
    assert logged.meta["rag"]["chunks"] == [c["id"] for c in citations]
    assert len(logged.meta["rag"]["index"]) == 12  # the index build that answered
    from tunesmith.serve.export import sft_rows

    exported = sft_rows([logged])[0]  # `logs export`: the prompt the model saw, and which chunks it was given
    assert exported["meta"]["metadata"]["rag"]["chunks"] == logged.meta["rag"]["chunks"]
    assert "[quorvia-kettle.md#" in exported["messages"][0]["content"]


def test_stream_sends_citations_in_its_first_chunk(live):
    server, _ = live
    body = {"model": "echo", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.stream("POST", f"{server.base_url}/chat/completions", json=body, timeout=60) as response:
        events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]
    assert len(events[0]["citations"]) == 3
    assert all("citations" not in event for event in events[1:])


def test_text_completions_are_not_augmented(live):
    server, _ = live
    body = {"model": "echo", "prompt": "plain words"}
    answer = httpx.post(f"{server.base_url}/completions", json=body, timeout=60).json()
    assert answer["choices"][0]["text"][::-1] == "plain words" and "citations" not in answer


def test_rag_for_an_unknown_model_or_bad_template_is_refused(index):
    with pytest.raises(InputError, match="no served model is named 'other'"):
        open_retrieval([f"other={index}"], 3, None, {"echo"})
    with pytest.raises(InputError, match="--rag-template"):
        open_retrieval([str(index)], 3, "Context: {context}", {"echo"})


def test_a_failing_index_is_a_503_without_its_address(live, monkeypatch):
    server, _ = live
    retrieval = server.server.config.app.state.server.retrieval

    def unreachable(*args, **kwargs):
        raise InputError("store.url", "cannot reach the Chroma server at http://10.0.0.7:8000")

    monkeypatch.setattr(retrieval.retriever("echo"), "search", unreachable)
    body = {"model": "echo", "messages": [{"role": "user", "content": QUESTION}]}
    response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=60)
    assert response.status_code == 503 and response.json()["error"]["code"] == "retrieval"
    assert "10.0.0.7" not in response.text and "Traceback" not in response.text


def test_serve_options_open_the_index_with_a_template_file(index, tmp_path):
    from tunesmith.serve.launch import ServeOptions, _retrieval

    template = tmp_path / "template.txt"
    template.write_text("Context:\n{context}\nQ: {question}\nA:", encoding="utf-8")
    retrieval = _retrieval(ServeOptions(rag=[f"echo={index}"], rag_k=2, rag_template=template), {"echo"})
    assert retrieval.k == 2 and retrieval.template.startswith("Context:") and retrieval.retriever("other") is None
    with pytest.raises(InputError, match="--rag-template"):
        _retrieval(ServeOptions(rag=[str(index)], rag_template=tmp_path / "missing.txt"), {"echo"})
    assert _retrieval(ServeOptions(), {"echo"}) is None
