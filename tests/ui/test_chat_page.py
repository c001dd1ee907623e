"""The chat page in a real browser: the base and a LoRA trained here stream side by side, Stop ends a stream, an
exchange is saved into a dataset, thumbs up is recorded, and the page works at phone width and from the keyboard.

The tiny model is random, so answers are gibberish: the tests check structure and streaming, never content.
"""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest

from tests.ui.conftest import ADMIN_KEY, open_page

ADAPTER = "tiny-lora"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TURN = "#chat-columns [data-column='{i}'] .chat-turn.assistant"


@pytest.fixture(scope="module")
def two_models(ui_server, tiny_model_dir, tmp_path_factory):
    """The base, and a LoRA briefly trained on it (`tunesmith.train`'s methods), loaded onto the live server
    through `POST /admin/adapters` with the admin key (the fixture's server has no adapter root: one is lent)."""
    from tests.serve.trained import ADAPTERS, train_run

    root = tmp_path_factory.mktemp("chat-lora")
    train_run(root, "lora", tiny_model_dir, ADAPTERS["lora"], steps=4)
    server = ui_server.app.state.server
    settings = server.settings
    server.settings = dataclasses.replace(settings, adapter_roots=(root,))
    try:
        body = {"name": ADAPTER, "path": "lora"}
        loaded = httpx.post(f"{ui_server.root}/admin/adapters", json=body, headers=ADMIN, timeout=120)
    finally:
        server.settings = settings
    assert loaded.json() == {"name": ADAPTER, "loaded": True}, loaded.text
    return ui_server.base_name, ADAPTER


def choose(page, i: int, model: str) -> None:
    page.select_option(f"#chat-model-{i}", model)


def answered(page, i: int, nth: int = 0):
    turn = page.locator(TURN.format(i=i)).nth(nth)
    turn.locator("xpath=self::*[@data-done='1']").wait_for()
    return turn


def test_two_models_stream_side_by_side_then_save_and_rate(page, ui_server, two_models):
    base, adapter = two_models
    open_page(page, ui_server, "chat")
    assert page.locator("#chat-no-retrieval").is_visible()  # this server has no --rag: the page says so
    page.select_option("#chat-count", "2")
    choose(page, 0, base)
    choose(page, 1, adapter)
    page.fill("#chat-prompt", "Capital of France?")
    page.click("#chat-send")
    first, second = answered(page, 0), answered(page, 1)
    for turn in (first, second):
        assert int(turn.get_attribute("data-tokens")) >= 1  # filled chunk by chunk
        assert turn.get_attribute("data-request").startswith("chatcmpl-")
    assert first.locator(".chat-who").inner_text().startswith(base)
    assert second.locator(".chat-who").inner_text().startswith(adapter)

    # a second turn: each column keeps its own conversation
    page.fill("#chat-prompt", "And of Italy?")
    page.click("#chat-send")
    again = answered(page, 1, nth=1)
    assert page.locator("#chat-columns [data-column='1'] .chat-turn.user").count() == 2

    # save column 2's conversation (its answers) into data/good.jsonl
    page.fill("#chat-dataset", "good")
    page.locator("#chat-columns [data-column='1'] .chat-save").click()
    page.wait_for_selector("#chat-columns [data-column='1'] .chat-status .ok")
    assert "data/good.jsonl" in page.locator("#chat-columns [data-column='1'] .chat-status").inner_text()
    rows = [json.loads(line) for line in (ui_server.workspace / "data" / "good.jsonl").read_text().splitlines()]
    assert len(rows) == 1
    messages = rows[0]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[0]["content"] == "Capital of France?" and messages[2]["content"] == "And of Italy?"
    assert messages[3]["content"] == again.locator(".chat-text").inner_text()
    from tunesmith.data.loading import load_messages

    assert load_messages(ui_server.workspace / "data" / "good.jsonl")[0] == "openai"

    # thumbs up on the base's first answer: recorded in the request log
    first.locator(".chat-up").click()
    page.wait_for_selector(f"{TURN.format(i=0)} .chat-up[aria-pressed='true']")
    logged = ui_server.app.state.server.store.get(first.get_attribute("data-request"))
    assert logged.rating == "up"

    # bad input: a dataset that is not JSONL gets the server's message, and the page stays usable
    page.fill("#chat-dataset", "notes.csv")
    page.locator("#chat-columns [data-column='0'] .chat-save").click()
    error = page.locator("#chat-columns [data-column='0'] .chat-status .error")
    error.wait_for()
    assert "data/notes.csv: is not a JSONL file" in error.inner_text()
    assert not (ui_server.workspace / "data" / "notes.csv").exists()

    page.click("#chat-clear")
    assert page.locator(".chat-turn").count() == 0
    assert page.js_errors == []


class Holding:
    """The served backend, except that each answer is one word and then nothing until the client leaves: a
    stream that is still running when the test presses Stop."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def submit(self, request):
        from tunesmith.serve.backends.base import Delta, Generation

        generation = Generation(request.n, prompt_tokens=1)
        generation.push(Delta(0, "thinking"))
        return generation


def test_stop_ends_every_stream_and_keeps_what_came(page, ui_server, two_models, monkeypatch):
    server = ui_server.app.state.server
    monkeypatch.setattr(server, "backend", Holding(server.backend))
    open_page(page, ui_server, "chat")
    page.select_option("#chat-count", "2")
    page.fill("#chat-prompt", "Tell me a long story.")
    page.click("#chat-send")
    for i in (0, 1):
        page.wait_for_selector(f"{TURN.format(i=i)} .chat-text:has-text('thinking')")
    assert page.locator("#chat-send").is_disabled()
    page.click("#chat-stop")
    for i in (0, 1):
        turn = answered(page, i)
        assert turn.get_attribute("data-stopped") == "1"
        assert turn.locator(".chat-text").inner_text() == "thinking"
    assert page.locator("#chat-send").is_enabled() and page.locator("#chat-stop").is_disabled()
    assert page.js_errors == []


def test_keyboard_send_and_phone_width(page, ui_server, two_models):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, ui_server, "chat")
    page.select_option("#chat-count", "3")
    boxes = [page.locator(f"#chat-columns [data-column='{i}']").bounding_box() for i in range(3)]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]  # stacked, not side by side
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.focus("#chat-prompt")
    page.keyboard.type("hello")
    page.keyboard.press("Enter")  # Enter sends (Shift+Enter would start a new line)
    for i in range(3):
        answered(page, i)
    page.keyboard.type("again")
    page.keyboard.press("Control+Enter")
    answered(page, 0, nth=1)
    assert page.locator("#chat-columns [data-column='0'] .chat-turn.user").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.js_errors == []
