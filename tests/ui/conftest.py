"""UI fixtures: a live server (tiny model, fine-tuning on, UI mounted, an admin and an inference key) in a fresh
workspace, and a headless Chromium page already holding the admin key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import QUESTIONS

ADMIN_KEY = "sk-ui-admin-0123456789"
INFERENCE_KEY = "sk-ui-inference-0123456789"


@dataclass
class UiServer:
    root: str  # http://127.0.0.1:PORT
    workspace: Path
    base_name: str
    app: object

    @property
    def ui(self) -> str:
        return f"{self.root}/ui/"


def chat_rows(n: int = 24) -> list[dict]:
    pairs = (QUESTIONS * (n // len(QUESTIONS) + 1))[:n]
    return [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in pairs]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory, tiny_model_dir):
    """The tiny model served with fine-tuning and the UI on; `workspace/data/chat.jsonl` holds 24 conversations."""
    from tests.serve.live import LiveServer
    from tunesmith.serve.adapters import plan
    from tunesmith.serve.app import ServerSettings, create_app
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.finetuning import open_fine_tuning
    from tunesmith.serve.store import Store
    from tunesmith.ui.app import mount_ui
    from tunesmith.ui.workspace import Workspace

    space = Workspace.open(tmp_path_factory.mktemp("ui-workspace"))
    write_jsonl(space.area("data") / "chat.jsonl", chat_rows())
    served = plan(str(tiny_model_dir), [])
    backend = TransformersBackend(served, queue_size=8, max_batch=8)
    store = Store(space.store_url)
    service = open_fine_tuning(space.fine_tuning_root, store.url, backend)
    settings = ServerSettings(api_keys=(INFERENCE_KEY,), admin_keys=(ADMIN_KEY,), max_tokens=16)
    app = mount_ui(create_app(backend, store, settings, service), space)
    with LiveServer(app) as live:
        yield UiServer(live.root, space.root, served.base_name, app)
    store.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.ui.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, ui_server):
    """A 1280-px-wide page on the UI with the admin key set (sessionStorage, as the key box does)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_init_script(f"sessionStorage.setItem('tunesmith.key', {json.dumps(ADMIN_KEY)})")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(  # a blocked script, style or request shows as a console error naming the policy
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None,
    )
    page.js_errors = errors  # tests assert this stays empty: an uncaught error in the page is a failure
    yield page
    context.close()


def open_page(page, server: UiServer, name: str, query: str = "") -> None:
    """Go to one UI page and wait until it has rendered (`main[data-ready]`)."""
    page.goto(f"{server.ui}#/{name}{'?' + query if query else ''}")
    page.wait_for_selector(f"main[data-page='{name}'][data-ready='1']")


@pytest.fixture
def screenshot(request, tmp_path):
    """`screenshot(page, name)` saves the page (up to 1,600 px tall) as NAME.png in `--ui-screenshots DIR`, or in
    a temporary folder when the option is not given; the path."""
    folder = request.config.getoption("--ui-screenshots")
    target = Path(folder) if folder else tmp_path / "screenshots"
    target.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = target / f"{name}.png"
        page.evaluate("document.getElementById('toast')?.replaceChildren()")  # passing notes would cover the page
        size = page.viewport_size
        height = min(1600, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": size["width"], "height": height})
        return path

    return take
