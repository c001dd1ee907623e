"""The Traffic page in a real browser, over requests an inference key made: the table lists them, a filter narrows
it, a thumbs down and a correction are saved and still shown after a reload, export writes the dataset and shows
its count (and a bad name gets the API's message), the page fits a phone, and a review is done by keyboard only.
Then a flywheel turn runs from the page: its log, and its decision."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.ui.conftest import INFERENCE_KEY, open_page

PROMPTS = ["What color is the sky?", "Capital of France?", "中国的首都是哪里？", "Opposite of hot?", "What is 2 + 3?"]
ROWS = ".traffic-log tbody tr"


@pytest.fixture(scope="module")
def asked(ui_server) -> dict[str, str]:
    ids = {}
    for prompt in PROMPTS:
        body = {"model": ui_server.base_name, "messages": [{"role": "user", "content": prompt}], "max_tokens": 8}
        reply = httpx.post(f"{ui_server.root}/v1/chat/completions", json=body, timeout=120,
                           headers={"Authorization": f"Bearer {INFERENCE_KEY}"})  # fmt: skip
        assert reply.status_code == 200, reply.text
        ids[prompt] = reply.json()["id"]
    return ids


def row(page, request_id: str):
    return page.locator(f"{ROWS}[data-id='{request_id}']")


def test_the_table_lists_the_requests_and_a_filter_narrows_it(page, ui_server, asked):
    open_page(page, ui_server, "traffic")
    assert page.locator(ROWS).count() == len(PROMPTS)
    assert page.locator(".traffic-count").inner_text().startswith(f"{len(PROMPTS)} requests")
    assert page.locator(ROWS).first.get_attribute("data-id") == asked[PROMPTS[-1]]  # newest first
    page.get_by_label("Text", exact=True).fill("首都")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("() => document.querySelectorAll('.traffic-log tbody tr').length === 1")
    assert page.locator(ROWS).first.get_attribute("data-id") == asked["中国的首都是哪里？"]
    assert "q=" in page.url
    page.get_by_label("Since", exact=True).fill("yesterday")  # bad input: the CLI's own words
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("main[data-ready='1'] .traffic-log-area .error")
    assert "--since yesterday: expected an ISO date or time" in page.locator(".traffic-log-area .error").inner_text()
    assert page.js_errors == []


def test_thumbs_down_and_a_correction_are_saved_and_shown_after_reload(page, ui_server, asked):
    target = asked["Capital of France?"]
    open_page(page, ui_server, "traffic")
    row(page, target).locator("button.traffic-open").click()
    page.wait_for_selector(f".traffic-detail[data-id='{target}']")
    assert page.locator(".traffic-turns").inner_text().endswith("Capital of France?")
    page.get_by_role("button", name="✗ Bad answer").click()
    page.wait_for_selector(".traffic-down[aria-pressed='true']")
    page.get_by_label("Correction", exact=True).fill("Paris is the capital of France.")
    page.get_by_role("button", name="Save correction").click()
    page.wait_for_selector(f"{ROWS}[data-id='{target}'] ins:has-text('Paris is the capital of France.')")
    assert "thumbs down" in row(page, target).inner_text()
    page.reload()
    page.wait_for_selector("main[data-page='traffic'][data-ready='1']")
    assert "Paris is the capital of France." in row(page, target).locator(".traffic-fb").inner_text()
    assert "thumbs down" in row(page, target).locator(".traffic-fb").inner_text()
    page.get_by_label("Has a correction", exact=True).select_option("true")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("() => document.querySelectorAll('.traffic-log tbody tr').length === 1")
    assert page.js_errors == []


def test_export_writes_the_dataset_and_shows_its_count(page, ui_server, asked):
    open_page(page, ui_server, "traffic")
    page.get_by_label("Dataset name", exact=True).fill("reviewed")
    page.get_by_label("Records", exact=True).select_option("corrected")
    page.get_by_role("button", name="Export", exact=True).click()
    page.wait_for_selector(".traffic-export-result .ok")
    assert page.locator(".traffic-export-result").inner_text() == "Wrote 1 records to data/reviewed.jsonl."
    lines = (ui_server.workspace / "data" / "reviewed.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["messages"][-1]["content"] == "Paris is the capital of France."

    page.get_by_role("button", name="Export", exact=True).click()  # the same name again: refused, file kept
    page.wait_for_selector(".traffic-export-result .error")
    assert "data/reviewed.jsonl already exists" in page.locator(".traffic-export-result .error").inner_text()
    page.get_by_label("Dataset name", exact=True).fill("../evil")
    page.get_by_role("button", name="Export", exact=True).click()
    page.wait_for_selector(".traffic-export-result .error:has-text('no folders')")
    assert not (ui_server.workspace / "evil.jsonl").exists()
    assert page.js_errors == []


def test_usable_at_phone_width(page, ui_server, asked):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, ui_server, "traffic")
    page.locator("button.traffic-open").first.click()
    page.wait_for_selector(".traffic-detail")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.js_errors == []


def test_a_review_by_keyboard_only(page, ui_server, asked):
    target = asked["Opposite of hot?"]
    open_page(page, ui_server, "traffic")
    active = "document.activeElement"

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"{active}.matches({json.dumps(selector)})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(f"button.traffic-open[data-id='{target}']")
    page.keyboard.press("Enter")
    page.wait_for_selector(f".traffic-detail[data-id='{target}']")
    assert page.evaluate(f"{active}.id") == "traffic-detail-title"  # focus moved to the opened exchange
    tab_to(".traffic-up")
    page.keyboard.press("Space")
    page.wait_for_selector(".traffic-up[aria-pressed='true']")
    page.wait_for_selector(f"{ROWS}[data-id='{target}'] .traffic-fb .ok")
    assert page.js_errors == []


def run_turn(page, ui_server) -> None:
    open_page(page, ui_server, "traffic")
    page.get_by_label("Config name", exact=True).fill("turn")
    page.get_by_role("button", name="Save and run a turn").click()
    page.wait_for_selector(".traffic-fw-status .ok:has-text('configs/turn.yaml')")
    page.wait_for_selector(".traffic-fw-log .badge.succeeded, .traffic-fw-log .badge.failed", timeout=600_000)


def test_a_flywheel_turn_without_the_key_fails_with_the_cli_message(page, ui_server, asked, monkeypatch):
    monkeypatch.delenv("TUNESMITH_FLYWHEEL_KEY", raising=False)
    open_page(page, ui_server, "traffic")
    assert "TUNESMITH_FLYWHEEL_KEY" in page.locator(".traffic-key-note").inner_text()
    run_turn(page, ui_server)
    error = page.locator(".traffic-fw-log .error").first
    error.wait_for()
    assert "environment variable TUNESMITH_FLYWHEEL_KEY is not set" in error.inner_text()
    page.get_by_label("Config name", exact=True).fill("turn")  # the page stays usable: the editor and the log are there
    assert page.js_errors == []


def test_a_flywheel_turn_runs_and_shows_its_decision(page, ui_server, asked, monkeypatch):
    from tests.ui.conftest import ADMIN_KEY

    monkeypatch.setenv("TUNESMITH_FLYWHEEL_KEY", ADMIN_KEY)  # as the admin sets it where `tunesmith ui` starts
    run_turn(page, ui_server)
    output = page.locator(".traffic-fw-output").inner_text()
    assert page.locator(".traffic-fw-log .badge.succeeded").count() == 1, output
    decision = page.locator(".traffic-fw-log .traffic-decision")
    decision.wait_for()
    text = decision.inner_text()
    assert ("Promoted" in text or "Not promoted" in text) and "student rouge_l" in text
    assert page.locator(".traffic-fw-output").inner_text().strip()  # the turn's log was shown
    page.locator(".traffic-turns-list").get_by_role("button", name="Show report").first.click()
    page.wait_for_selector(".traffic-report")
    assert "rouge_l" in page.locator(".traffic-report").inner_text()
    assert page.js_errors == []
