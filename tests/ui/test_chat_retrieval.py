"""Retrieval on the chat page (`serve --rag`): the server's models retrieve by default, a request (and the page's
toggle) turns it off, and the page shows a retrieved answer's citations."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.ui.conftest import open_page

KNOWLEDGE = Path(__file__).resolve().parents[2] / "examples" / "knowledge" / "docs" / "v1"
QUESTION = "What is the default admin PIN of the Quorvia Kettle?"


@pytest.fixture(scope="module")
def rag_server(tmp_path_factory, smol_dir):
    """The echo backend (it answers with its prompt, reversed) retrieving 3 chunks per request, with the UI."""
    from tests.serve.fakes import EchoBackend
    from tests.serve.live import LiveServer
    from tunesmith.rag.build import build_index
    from tunesmith.rag.config import load_rag_config
    from tunesmith.serve.app import create_app
    from tunesmith.serve.retrieval import open_retrieval
    from tunesmith.serve.store import Store
    from tunesmith.ui.app import mount_ui
    from tunesmith.ui.workspace import Workspace

    root = tmp_path_factory.mktemp("chat-rag")
    docs = shutil.copytree(KNOWLEDGE, root / "docs")
    raw = {"index": str(root / "index"), "sources": [str(docs)], "chunking": {"model": smol_dir}}
    (root / "rag.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg, base = load_rag_config(root / "rag.yaml")
    build_index(cfg, base, Path(cfg.index))
    space = Workspace.open(root / "workspace")
    store = Store(space.store_url)
    retrieval = open_retrieval([str(root / "index")], 3, None, {"echo"})
    with LiveServer(mount_ui(create_app(EchoBackend(), store, retrieval=retrieval), space)) as live:
        yield RagServer(live.root)
    store.close()


@dataclass
class RagServer:
    root: str

    @property
    def ui(self) -> str:
        return f"{self.root}/ui/"


def stream(server, **extra) -> list[dict]:
    body = {"model": "echo", "messages": [{"role": "user", "content": QUESTION}], "stream": True, **extra}
    with httpx.stream("POST", f"{server.root}/v1/chat/completions", json=body, timeout=60) as response:
        return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]


def test_retrieval_is_on_by_default_and_a_request_can_turn_it_off(rag_server):
    assert httpx.get(f"{rag_server.root}/ui/api/chat/retrieval").json() == {"models": ["echo"], "k": 3}
    on = stream(rag_server)
    assert len(on[0]["citations"]) == 3
    off = stream(rag_server, retrieval=False)
    assert all("citations" not in event for event in off)
    answer = "".join(e["choices"][0]["delta"].get("content", "") for e in off if e["choices"])
    assert answer[::-1] == QUESTION  # the model was given the question alone
    assert len(stream(rag_server, retrieval=True)[0]["citations"]) == 3


def test_the_toggle_turns_retrieval_off_for_the_next_answer(page, rag_server):
    open_page(page, rag_server, "chat")
    page.select_option("#chat-count", "1")
    assert page.locator("#chat-retrieval").is_checked()
    assert page.locator("#chat-columns [data-column='0'] .chat-rag").is_visible()
    page.fill("#chat-prompt", QUESTION)
    page.click("#chat-send")
    with_chunks = answered(page, 0)
    assert "Quorvia" in with_chunks.locator(".chat-text").inner_text()[::-1]  # echo: the prompt, with chunks
    assert len(with_chunks.locator(".chat-text").inner_text()) > 3 * len(QUESTION)
    page.click("#chat-clear")
    page.uncheck("#chat-retrieval")
    page.fill("#chat-prompt", QUESTION)
    page.keyboard.press("Tab")
    page.click("#chat-send")
    alone = answered(page, 0)
    assert alone.locator(".chat-text").inner_text()[::-1] == QUESTION  # the model was given the question alone
    assert alone.locator(".chat-citations").count() == 0
    assert page.js_errors == []


def test_a_retrieved_answer_shows_its_citations(page, rag_server):
    open_page(page, rag_server, "chat")
    page.select_option("#chat-count", "1")
    page.fill("#chat-prompt", QUESTION)
    page.click("#chat-send")
    cited = answered(page, 0).locator(".chat-citations li")
    assert cited.count() == 3
    assert cited.first.inner_text().startswith("quorvia-kettle.md#")


def answered(page, i: int):
    turn = page.locator(f"#chat-columns [data-column='{i}'] .chat-turn.assistant").last
    turn.locator("xpath=self::*[@data-done='1']").wait_for()
    return turn
