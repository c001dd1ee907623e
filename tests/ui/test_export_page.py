"""The Export page in a real browser: merge a LoRA run trained in the test, by keyboard alone, watch the task's log,
see the files it wrote and download one; the page fits a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import open_page
from tests.ui.test_export_fixtures import fits_phone, train_tiny_lora


@pytest.fixture(scope="module")
def run(ui_server, tiny_model_dir) -> str:
    return train_tiny_lora(ui_server.workspace, tiny_model_dir)


def test_export_merges_a_run_and_offers_its_files(page, ui_server, run):
    open_page(page, ui_server, "export")
    assert page.locator("#export-run option").first.get_attribute("value") == run
    assert page.locator("#export-format").input_value() == "merge"
    assert page.locator("#export-quant").is_disabled()  # a merge has no quantization
    page.focus("#export-run")
    page.keyboard.press("Tab")  # the format
    page.keyboard.press("Tab")  # (the quantization is disabled) the Export button
    assert page.evaluate("document.activeElement.id") == "export-go"
    page.keyboard.press("Enter")
    page.wait_for_selector("#export-task[data-done='1']", timeout=300_000)
    assert page.locator("#export-task").get_attribute("data-status") == "succeeded"
    assert "tunesmith export merge runs/tiny-lora --out exports/tiny-lora-merge" in page.inner_text("#export-task")
    assert "Merged model: exports/tiny-lora-merge" in page.inner_text(".task-log")
    assert "Written to exports/tiny-lora-merge." in page.inner_text("#export-result")
    files = page.locator("#export-task ul.artifacts button.download")
    paths = [files.nth(i).get_attribute("data-path") for i in range(files.count())]
    assert "exports/tiny-lora-merge/model.safetensors" in paths
    assert "exports/tiny-lora-merge/config.json" in paths
    assert not any(p.endswith("adapter_config.json") for p in paths)
    with page.expect_download() as download:
        page.click("#export-task button.download[data-path='exports/tiny-lora-merge/config.json']")
    assert download.value.suggested_filename == "config.json"
    assert '"model_type"' in Path(download.value.path()).read_text(encoding="utf-8")

    page.reload()  # back later: the last export is shown again
    page.wait_for_selector("main[data-page='export'][data-ready='1']")
    page.wait_for_selector("#export-task[data-status='succeeded'][data-done='1']")
    assert fits_phone(page)
    assert page.js_errors == []


def test_quantization_choices_follow_the_format(page, ui_server, run):
    open_page(page, ui_server, "export")
    page.select_option("#export-format", "gguf")
    assert page.locator("#export-quant").input_value() == "f16"
    assert "q4_k_m" in page.locator("#export-quant option").all_inner_texts()
    page.select_option("#export-format", "onnx")
    assert page.locator("#export-quant option").all_inner_texts() == ["fp32 (default)", "int8", "int4"]
    assert page.js_errors == []
