"""The Arena page in a real browser: a bad arena file gets the CLI's message and nothing runs; a tiny arena (the
tiny model zero-shot against a LoRA run trained in the test, 4 questions) runs as a task, started from the
keyboard, and the page shows the verdict, each arm's interval and cost, and the report downloads."""

from __future__ import annotations

import json

import pytest

from tests.ui.conftest import open_page
from tests.ui.test_export_fixtures import fits_phone, train_tiny_lora

TYPO = "task: {eval: ../data/chat.jsonl}\narm:\n  - {name: base, kind: prompt}\n"


@pytest.fixture(scope="module")
def run(ui_server, tiny_model_dir) -> str:
    return train_tiny_lora(ui_server.workspace, tiny_model_dir)


def tiny_arena(model_dir, run: str) -> str:
    return (
        "task:\n  eval: ../data/chat.jsonl\n  metrics: [exact_match]\n  limit: 4\n  max_new_tokens: 6\n"
        "  latency_requests: 2\narms:\n"
        f"  - {{name: prompt, kind: prompt, model: {json.dumps(str(model_dir))}}}\n"
        f"  - {{name: tuned, kind: fine_tuned, run: ../{run}}}\n"
        "cost: {currency: USD, hardware: test machine, price_per_hour: 0.5}\n"
    )


def finished(page, box: str, config: str) -> str:
    """Wait until the task panel shows the task that runs `config` finished; its status."""
    page.wait_for_function(
        "([box, config]) => { const el = document.querySelector(box);"
        " return el && el.dataset.done === '1' && el.querySelector('.task-command').textContent.endsWith(config); }",
        arg=[box, config],
        timeout=300_000,
    )
    return page.locator(box).get_attribute("data-status")


def test_the_starter_is_filled_in_from_the_workspace(page, ui_server, run):
    open_page(page, ui_server, "arena")
    starter = page.locator("#arena-yaml").input_value()
    assert "eval: ../data/chat.jsonl" in starter
    assert f"run: ../{run}" in starter and "limit: 8" in starter
    assert page.js_errors == []


def test_a_bad_arena_file_gets_the_cli_message(page, ui_server):
    open_page(page, ui_server, "arena")
    page.fill("#arena-name", "typo")
    page.fill("#arena-yaml", TYPO)
    page.click("#arena-run")
    error = page.wait_for_selector("#arena-message .error")
    assert "configs/typo.yaml: 2 problems:" in error.inner_text()
    assert "key 'arm': unknown key; did you mean 'arms'?" in error.inner_text()
    assert not (ui_server.workspace / "configs" / "typo.yaml").exists()
    assert page.locator("#arena-task").is_hidden()  # nothing ran
    assert page.js_errors == []


def test_an_arena_runs_and_shows_its_verdict(page, ui_server, run, tiny_model_dir):
    open_page(page, ui_server, "arena")
    page.fill("#arena-name", "tiny")
    page.fill("#arena-yaml", tiny_arena(tiny_model_dir, run))
    page.focus("#arena-yaml")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "arena-run"
    page.keyboard.press("Space")
    assert finished(page, "#arena-task", "configs/tiny.yaml") == "succeeded", page.inner_text("#arena-task")
    assert "tunesmith arena configs/tiny.yaml" in page.inner_text("#arena-task")
    verdict = page.wait_for_selector("#arena-verdict .verdict")
    report = json.loads((ui_server.workspace / "runs" / "tiny-arena" / "report.json").read_text())
    assert verdict.inner_text() == report["recommendation"]["verdict"]
    rows = page.locator("#arena-arms tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).locator("td").all_inner_texts()
    arm = report["arms"][0]
    assert first[:2] == ["prompt", "prompt"]
    assert first[2] == f"{arm['primary']['mean']:.3f}"
    assert first[3] == f"[{arm['primary']['low']:.3f}, {arm['primary']['high']:.3f}]"
    assert first[-2] == f"{arm['cost']['per_1k']['value']:.4f}"  # USD per 1k requests, from 0.5/h
    with page.expect_download() as download:
        page.click("#arena-downloads button[data-path='runs/tiny-arena/report.html']")
    assert download.value.suggested_filename == "report.html"
    page.reload()  # the config is listed for next time
    page.wait_for_selector("main[data-page='arena'][data-ready='1']")
    assert "configs/tiny.yaml" in page.locator("#arena-pick option").all_inner_texts()
    page.select_option("#arena-pick", "tiny")
    page.wait_for_function("() => document.querySelector('#arena-yaml').value.includes('name: tuned')")
    assert fits_phone(page)
    assert page.js_errors == []


def test_an_arena_that_fails_shows_the_cli_error_and_the_last_log_lines(page, ui_server, tiny_model_dir):
    (ui_server.workspace / "data" / "broken.jsonl").write_text('{"messages": "not a list"}\n')
    arena = tiny_arena(tiny_model_dir, "runs/none").replace("chat.jsonl", "broken.jsonl")
    arena = "\n".join(line for line in arena.splitlines() if "runs/none" not in line) + "\n"
    open_page(page, ui_server, "arena")
    page.fill("#arena-name", "broken")
    page.fill("#arena-yaml", arena)
    page.click("#arena-run")
    assert finished(page, "#arena-task", "configs/broken.yaml") == "failed"
    error = page.inner_text("#arena-task .task-result .error")
    assert error.startswith("configs/../data/broken.jsonl")
    assert str(ui_server.workspace) not in error
    assert "error: " + error.splitlines()[0] in page.inner_text("#arena-task .task-last-lines")
    page.fill("#arena-name", "again")  # the page stays usable
    page.click("#arena-save")
    page.wait_for_selector("#arena-message .ok")
    assert page.js_errors == []
