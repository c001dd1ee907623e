"""The Data page in a real browser: upload and inspect, a broken file's CLI message, phone width, the keyboard,
and a data pipeline saved, run as a task, and its report read back."""

from __future__ import annotations

from tests.ui.conftest import chat_rows, open_page
from tests.ui.test_data_api import BROKEN, cli_error, jsonl

DONE = ".data-result[data-state='done']"


def choose_file(page, name: str, body: bytes) -> None:
    page.set_input_files("#data-upload", files=[{"name": name, "mimeType": "application/x-ndjson", "buffer": body}])


def test_an_uploaded_file_is_inspected_at_once(page, ui_server):
    open_page(page, ui_server, "data")
    choose_file(page, "page-good.jsonl", jsonl(chat_rows(12)))
    page.wait_for_selector(DONE)
    summary = page.locator(".data-summary").inner_text()
    assert "data/page-good.jsonl" in summary and "format openai" in summary and "12 records" in summary
    assert page.locator(".data-histogram svg rect").count() >= 1
    trained = page.locator(".data-example mark.trained")
    assert trained.count() >= 1 and trained.first.inner_text().strip()
    assert page.locator(".data-example .untrained").count() >= 1
    assert "Trained tokens:" in page.locator(".data-trained").inner_text()
    assert page.locator("button.data-file[data-path='data/page-good.jsonl']").get_attribute("aria-current") == "true"
    assert "page-good.jsonl" in page.url
    assert page.js_errors == []


def test_a_broken_jsonl_shows_the_message_the_cli_prints(page, ui_server, tiny_model_dir):
    open_page(page, ui_server, "data")
    choose_file(page, "page-broken.jsonl", BROKEN.encode())
    page.wait_for_selector(".data-result[data-state='error'] .error")
    shown = page.locator(".data-result .error").inner_text()
    assert shown.startswith("data/page-broken.jsonl:2: ")
    assert shown == cli_error(ui_server.workspace, "data/page-broken.jsonl", tiny_model_dir)
    # The page stays usable: another file still inspects.
    page.locator("button.data-file[data-path='data/chat.jsonl']").click()
    page.wait_for_selector(DONE)
    assert page.js_errors == []


def test_the_page_fits_a_phone(page, ui_server):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, ui_server, "data", "file=data/chat.jsonl")
    page.wait_for_selector(DONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".data-histogram svg rect").count() >= 1
    assert page.js_errors == []


def test_a_file_is_inspected_with_the_keyboard_only(page, ui_server):
    open_page(page, ui_server, "data")
    target = "button.data-file[data-path='data/chat.jsonl']"
    page.wait_for_selector(target)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(f'document.activeElement.matches("{target}")'):
            break
    else:
        raise AssertionError("Tab never reached the file's button")
    page.keyboard.press("Enter")
    page.wait_for_selector(DONE)
    assert "data/chat.jsonl" in page.locator(".data-summary").inner_text()
    assert page.js_errors == []


def test_a_pipeline_is_saved_run_and_its_report_shown(page, ui_server):
    open_page(page, ui_server, "data", "file=data/chat.jsonl")
    page.wait_for_selector(DONE)
    page.get_by_role("button", name="Starter for the chosen file").click()
    assert page.locator("#data-pipeline-name").input_value() == "clean-chat"
    assert "path: ../data/chat.jsonl" in page.locator("#data-pipeline-yaml").input_value()
    page.get_by_role("button", name="Save and run").click()
    page.wait_for_selector(".data-task[data-status='succeeded'] .data-checks", timeout=240_000)
    assert (ui_server.workspace / "configs" / "clean-chat.yaml").exists()
    steps = page.locator(".data-steps").inner_text()
    assert "dedup" in steps and "filter" in steps
    assert page.locator(".data-checks tbody tr").count() >= 1
    assert "data.jsonl" in page.locator(".data-written").inner_text()
    assert page.locator(".data-log").inner_text().strip()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download report.html").click()
    assert download.value.suggested_filename == "report.html"
    assert page.locator("button.data-file[data-path='data/chat-clean/data.jsonl']").count() == 1
    assert page.js_errors == []


def test_a_bad_pipeline_is_refused_and_a_failing_one_shows_its_error(page, ui_server):
    (ui_server.workspace / "data" / "pipe-broken.jsonl").write_text(BROKEN, encoding="utf-8")
    open_page(page, ui_server, "data")
    page.fill("#data-pipeline-name", "broken-run")
    page.fill("#data-pipeline-yaml", "inputs: ../data/chat.jsonl\noutput: ../data/never\nops:\n  - dedupp: {}\n")
    page.get_by_role("button", name="Save and run").click()
    refused = page.locator(".data-task .error")
    refused.wait_for()
    expected = "configs/broken-run.yaml: ops[0]: unknown op 'dedupp'; did you mean 'dedup'?"
    assert refused.inner_text().startswith(expected)
    assert not (ui_server.workspace / "configs" / "broken-run.yaml").exists()

    page.fill("#data-pipeline-yaml", "inputs: ../data/pipe-broken.jsonl\noutput: ../data/never\nops:\n  - dedup\n")
    page.get_by_role("button", name="Save and run").click()
    page.wait_for_selector(".data-task[data-status='failed'] .data-task-end .error", timeout=240_000)
    error = page.locator(".data-task-end .error").inner_text()
    assert "pipe-broken.jsonl:2: not valid JSON" in error
    assert "pipe-broken.jsonl:2" in page.locator(".data-last-lines").inner_text()
    assert not (ui_server.workspace / "data" / "never").exists()
    page.locator("button.data-file[data-path='data/chat.jsonl']").click()  # the page stays usable
    page.wait_for_selector(DONE)
    assert page.js_errors == []
