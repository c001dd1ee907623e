"""The whole lifecycle in a real browser, on the tiny model: upload data → inspect → train → the loss chart grows
while it runs → cancel → resume → succeeded → the eval report → chat with the result beside the base → an arena
→ export → the traffic the chat made. Every step goes through the pages, as a person would; the screenshots it
takes are the README's (`pytest tests/ui/test_flow.py --ui-screenshots docs/images/ui`).
"""

from __future__ import annotations

import json

import pytest

from tests.ui.conftest import chat_rows, open_page
from tests.ui.test_train_page import points, wait_points, wait_status

pytestmark = pytest.mark.slow  # trains, evaluates, runs an arena and merges in worker processes
LONG = 300_000  # ms: one step of the flow on a busy 2-core machine (the train page tests wait as long)


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def fresh(page, server, name: str, query: str = "") -> None:
    """Open a page afresh (the previous view's ready mark cleared first, so the wait is for the new one)."""
    if page.locator("main[data-ready]").count():
        page.evaluate("document.getElementById('main').replaceChildren()")
    open_page(page, server, name, query)


def test_upload_inspect_train_cancel_resume_evaluate_chat_arena_export(page, ui_server, screenshot):
    page.add_init_script("sessionStorage.removeItem('tunesmith.train.recipe')")

    # Data: upload a file, and the inspect view reads it at once.
    fresh(page, ui_server, "data")
    upload = {"name": "support.jsonl", "mimeType": "application/x-ndjson", "buffer": jsonl(chat_rows(48))}
    page.set_input_files("#data-upload", files=[upload])
    page.wait_for_selector(".data-result[data-state='done']")
    assert "48 records" in page.locator(".data-summary").inner_text()
    assert page.locator(".data-histogram svg rect").count() >= 1
    assert page.locator(".data-example mark.trained").count() >= 1
    screenshot(page, "data")

    # Train: the form writes the recipe; launched, its loss chart grows while it runs.
    fresh(page, ui_server, "train")
    page.fill("#rf-data-train", "data/support.jsonl")
    page.fill("#rf-method-r", "4")
    for key, value in {"max_steps": "200", "batch_size": "4", "logging_steps": "1", "eval_steps": "10"}.items():
        page.fill(f"#rf-train-{key}", value)
    page.wait_for_function("() => document.querySelector('#train-yaml').textContent.includes('max_steps: 200')")
    page.click("#train-launch")
    page.wait_for_selector("#job-status[data-status]")
    job_id = page.url.split("job=")[1]
    wait_points(page, "loss", 2)
    growing = points(page, "loss")
    wait_points(page, "loss", growing)  # it updates while the job runs, without a reload

    # Cancel, then resume: the run continues from the checkpoint its stop saved, and finishes.
    page.click("#job-cancel")
    wait_status(page, "cancelled")
    stopped_at = points(page, "loss")
    assert 0 < stopped_at < 200
    page.click("#job-resume")
    page.wait_for_selector("#job-status[data-status='queued'], #job-status[data-status='running']")
    wait_status(page, "succeeded")
    page.wait_for_function("() => Number(document.querySelector('#chart-loss .chart').dataset.points) === 200")
    assert points(page, "lr") == 200 and points(page, "valid") >= 1
    tuned = page.text_content("#job-model code")
    assert tuned.startswith("ft:") and job_id in tuned
    screenshot(page, "train")

    # Runs: the job's run is listed; Evaluate runs `tunesmith eval` as a task and shows its report.
    run = f"jobs/{job_id}/run"
    fresh(page, ui_server, "runs")
    page.wait_for_selector(f"#runs-list tbody tr[data-run='{run}']")
    fresh(page, ui_server, "runs", f"run={run}")
    assert page.locator("#runs-metrics tbody tr").count() == 0  # the recipe had no eval.file: no report yet
    page.wait_for_selector("#runs-eval-file option[value='data/support.jsonl']", state="attached")
    page.select_option("#runs-eval-file", "data/support.jsonl")
    page.click("#runs-evaluate")
    page.wait_for_selector("#runs-metrics tbody tr", timeout=LONG)
    assert "exact_match" in page.locator("#runs-metrics").inner_text()
    assert page.locator("#runs-predictions tbody tr").count() >= 1
    screenshot(page, "runs")

    # Chat: the tuned model beside the base, the same prompt, both streamed.
    fresh(page, ui_server, "chat")
    page.select_option("#chat-count", "2")
    page.select_option("#chat-model-0", ui_server.base_name)
    page.select_option("#chat-model-1", tuned)
    page.fill("#chat-prompt", "Capital of France?")
    page.click("#chat-send")
    for column in (0, 1):
        turn = page.locator(f"#chat-columns [data-column='{column}'] .chat-turn.assistant[data-done='1']")
        turn.wait_for(timeout=LONG)
        assert turn.get_attribute("data-request").startswith("chatcmpl-")
    assert page.locator("#chat-columns [data-column='1'] .chat-turn.assistant .chat-who").inner_text().startswith(tuned)
    screenshot(page, "chat")

    # Arena: the base zero-shot against the tuned run, on four questions, with a verdict.
    fresh(page, ui_server, "arena")
    arena = (
        "task:\n  eval: ../data/support.jsonl\n  metrics: [exact_match]\n  limit: 4\n  max_new_tokens: 6\n"
        f"  latency_requests: 2\narms:\n  - {{name: base, kind: prompt, model: {tiny_model_ref(ui_server)}}}\n"
        f"  - {{name: tuned, kind: fine_tuned, run: ../{run}}}\n"
        "cost: {currency: USD, hardware: this machine, price_per_hour: 0.5}\n"
    )
    page.fill("#arena-name", "flow")
    page.fill("#arena-yaml", arena)
    page.click("#arena-run")
    page.wait_for_selector("#arena-verdict .verdict", timeout=LONG)
    assert page.locator("#arena-arms tbody tr").count() == 2
    screenshot(page, "arena")

    # Export: merge the tuned run; its files are offered for download.
    fresh(page, ui_server, "export")
    page.select_option("#export-run", run)
    page.select_option("#export-format", "merge")
    page.click("#export-go")
    page.wait_for_selector("#export-task[data-done='1']", timeout=LONG)
    assert page.locator("#export-task").get_attribute("data-status") == "succeeded"
    files = page.locator("#export-task ul.artifacts button.download")
    paths = [files.nth(i).get_attribute("data-path") for i in range(files.count())]
    assert any(p.endswith("model.safetensors") for p in paths)
    screenshot(page, "export")

    # Traffic: the chat's two requests are in the log.
    fresh(page, ui_server, "traffic")
    page.wait_for_selector(".traffic-log tbody tr")
    assert "Capital of France?" in page.locator(".traffic-log").inner_text()
    screenshot(page, "traffic")

    # The same pages in Chinese.
    page.select_option("#lang", "zh")
    fresh(page, ui_server, "runs", f"run={run}")
    page.wait_for_selector("#runs-metrics tbody tr")
    screenshot(page, "runs-zh")
    assert page.js_errors == []


def tiny_model_ref(server) -> str:
    """The served tiny model's folder (the arena's prompt arm loads it like any model reference)."""
    return json.dumps(str(server.app.state.server.fine_tuning.trainer.base_path))
