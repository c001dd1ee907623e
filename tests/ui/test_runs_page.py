"""The Runs page in a real browser, over real runs of the tiny model: the list and its filters, picking two runs to
compare (recipe diff, predictions side by side with the differences marked), a run with its curves and report,
Evaluate through the tasks API, a bad comparison, phone width and keyboard-only use."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.ui.conftest import open_page
from tests.ui.test_runs_fixtures import CHANGED, JOB_ID, RUNS, copy_runs, trained_runs  # noqa: F401 - a fixture

RUN = "runs/lora-lr1e-3"


@pytest.fixture(scope="module")
def runs_server(ui_server, trained_runs):  # noqa: F811 - the fixture imported above
    copy_runs(trained_runs, ui_server.workspace)
    return ui_server


def show(page, server, query: str, ready: str) -> None:
    """Open the Runs page at `query` and wait for `ready`: moving between two views of the same page leaves
    `main[data-ready]` set from the view before, so open_page alone would not wait for the new one."""
    if page.locator("main[data-page='runs']").count():
        page.evaluate("document.getElementById('main').replaceChildren()")
    open_page(page, server, "runs", query)
    page.wait_for_selector(ready)


def list_ids(page) -> list[str]:
    return page.locator("#runs-list tbody tr").evaluate_all("rows => rows.map(r => r.dataset.run)")


def test_the_list_filters_and_two_runs_compare(page, runs_server):
    show(page, runs_server, "", "#runs-list tbody tr")
    assert set(list_ids(page)) == {*(f"runs/{n}" for n in RUNS), "runs/stopped", f"jobs/{JOB_ID}/run"}
    assert page.locator("tr[data-run='runs/stopped'] [data-status='incomplete']").count() == 1

    page.fill("input[name='q']", "lr5e")
    page.wait_for_function("() => document.querySelectorAll('#runs-list tbody tr').length === 1")
    assert list_ids(page) == ["runs/lora-lr5e-2"]
    page.fill("input[name='q']", "")
    page.select_option("select[name='method']", "ia3")
    page.wait_for_function("() => document.querySelectorAll('#runs-list tbody tr').length === 2")
    page.select_option("select[name='method']", "")
    page.wait_for_function("() => document.querySelectorAll('#runs-list tbody tr').length === 5")

    compare = page.locator("#runs-compare")
    assert compare.is_disabled()
    page.check("tr[data-run='runs/lora-lr1e-3'] input[type='checkbox']")
    assert compare.is_disabled()  # one run is not a comparison
    page.check("tr[data-run='runs/lora-lr5e-2'] input[type='checkbox']")
    compare.click()
    page.wait_for_selector("main[data-ready='1'] #runs-cmp-diff")
    assert "compare=runs%2Flora-lr1e-3,runs%2Flora-lr5e-2" in page.url
    check_compare_view(page)
    assert page.js_errors == []


def check_compare_view(page) -> None:
    lr = page.locator("#runs-cmp-diff tr[data-key='train.learning_rate'] td")
    assert lr.all_inner_texts() == ["0.001", "0.05"]
    assert (
        page.locator("#runs-cmp-metrics tr[data-metric='exact_match'] td").first.inner_text() == "0.000 [0.000, 0.000]"
    )
    losses = page.locator("#runs-cmp-curves [data-chart='loss'] .chart")
    assert int(losses.get_attribute("data-points")) == 12  # two runs × (3 train + 3 eval) points
    side = page.locator("#runs-cmp-predictions tbody tr")
    assert side.count() == 6
    grey = side.nth(0).locator("td").nth(4)
    assert grey.locator("ins").inner_text() == CHANGED[0]  # the second run's words, marked as added
    differing = page.locator("#runs-cmp-predictions tbody tr[data-differ='1']").count()
    assert differing >= len(CHANGED)
    page.check("#runs-only-differ")
    page.wait_for_function(
        f"() => document.querySelectorAll('#runs-cmp-predictions tbody tr').length === {differing}"
        " && !document.querySelector(\"#runs-cmp-predictions tbody tr[data-differ='0']\")"
    )


def test_a_run_shows_its_curves_report_and_predictions(page, runs_server):
    show(page, runs_server, "run=runs/lora-lr5e-2", "#runs-predictions")
    assert page.locator("main h1").inner_text().startswith("lora-lr5e-2")
    loss = page.locator("[data-chart='loss'] .chart")
    assert int(loss.get_attribute("data-points")) == 6
    assert int(page.locator("[data-chart='learning_rate'] .chart").get_attribute("data-points")) == 3
    metrics = page.locator("#runs-metrics")
    assert "tuned (lora-lr5e-2)" in metrics.locator("thead").inner_text()
    row = metrics.locator("tbody tr", has_text="exact_match")
    assert "[0.000, 0.000]" in row.inner_text()
    predictions = page.locator("#runs-predictions tbody tr")
    assert predictions.count() == 6 and CHANGED[2] in predictions.nth(2).inner_text()
    assert "learning_rate: 0.05" in page.locator(".runs-recipe").inner_text()
    assert page.js_errors == []


def test_evaluate_starts_a_task_and_shows_a_failure_with_its_log(page, runs_server):
    """Evaluate posts the tasks contract's request; a failed task shows its error and log, and the page stays."""
    posted = []

    def tasks(route):
        posted.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(json=task("queued"))

    def task(status):
        error = "eval.file: no such file 'data/gone.jsonl'" if status == "failed" else None
        return {"id": "task-1", "kind": "eval", "status": status, "args": {"run": RUN}, "artifacts": [], "error": error}

    page.route("**/ui/api/tasks", tasks)
    page.route("**/ui/api/tasks/task-1", lambda route: route.fulfill(json=task("failed")))
    page.route("**/ui/api/tasks/task-1/log*", lambda route: route.fulfill(json={"text": "loading\nboom", "done": True}))
    show(page, runs_server, f"run={RUN}", "#runs-predictions")
    page.click("#runs-evaluate")
    page.wait_for_selector(".runs-eval-state .error")
    assert posted == [{"kind": "eval", "args": {"run": RUN}}]
    assert "no such file 'data/gone.jsonl'" in page.locator(".runs-eval-state .error").inner_text()
    assert "boom" in page.locator(".runs-eval-state pre").inner_text()
    assert page.locator("#runs-evaluate").is_enabled()
    assert page.js_errors == []


def test_a_bad_comparison_shows_the_api_message(page, runs_server):
    show(page, runs_server, f"compare={RUN}", "main .error")
    assert "compare needs 2 to 4 runs" in page.locator("main .error").inner_text()
    show(page, runs_server, "run=../outside", "main .error")
    assert page.locator("main .error").inner_text() == "No run in the workspace at '../outside'."
    assert page.locator("main a[href='#/runs']").count() == 1  # the way back stays
    assert page.js_errors == []


def test_phone_width_has_no_page_scroll(page, runs_server):
    page.set_viewport_size({"width": 390, "height": 844})
    views = {
        "": "#runs-list tbody tr",
        "run=runs/lora-lr5e-2": "#runs-predictions tbody tr",
        "compare=runs/lora-lr1e-3,runs/lora-lr5e-2,runs/ia3-lr1e-2": "#runs-cmp-predictions tbody tr",
    }
    for query, ready in views.items():
        show(page, runs_server, query, ready)
        wide = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert wide, query or "list"
    assert page.js_errors == []


def tab_to(page, selector: str, key: str = "Tab", limit: int = 80) -> None:
    """Press `key` until `selector` has the focus (keyboard only: no click, no focus() call)."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement && document.activeElement.matches({json.dumps(selector)})"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never got the focus with {key}")


def test_two_runs_compare_with_the_keyboard_only(page, runs_server):
    show(page, runs_server, "", "#runs-list tbody tr")
    tab_to(page, "tr[data-run='runs/lora-lr1e-3'] input[type='checkbox']")
    page.keyboard.press("Space")
    tab_to(page, "tr[data-run='runs/lora-lr5e-2'] input[type='checkbox']")
    page.keyboard.press("Space")
    tab_to(page, "#runs-compare", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-ready='1'] #runs-cmp-diff")
    check_compare_view(page)
    assert page.js_errors == []


def test_evaluate_runs_the_eval_task_and_loads_its_report(page, runs_server):
    """The real tasks API: `tunesmith eval` on the run, then the run view shows the new report it wrote."""
    show(page, runs_server, f"run={RUN}", "#runs-predictions")
    page.click("#runs-evaluate")
    page.wait_for_selector("#runs-report", timeout=300_000)  # the task's report beside the one training wrote
    folder = page.locator("#runs-report").input_value()
    assert folder.startswith(f"{RUN}/evals/task-") and f"report={folder.replace('/', '%2F')}" in page.url
    page.wait_for_selector("#runs-metrics tbody tr")
    assert "exact_match" in page.locator("#runs-metrics").inner_text()
    assert page.locator("#runs-predictions tbody tr").count() == 6
    assert page.js_errors == []


def test_a_run_still_training_grows_its_curves_then_shows_finished(page, runs_server, trained_runs):  # noqa: F811
    """A run whose metrics are being written (no summary yet) is `training`: its chart follows metrics.jsonl."""
    source, live = trained_runs / "lora-lr1e-3", runs_server.workspace / "runs" / "live"
    shutil.copytree(source, live)
    (live / "summary.json").unlink()
    shutil.rmtree(live / "final")
    lines = (source / "metrics.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (live / "metrics.jsonl").write_text(lines[0], encoding="utf-8")  # step 1's train loss
    show(page, runs_server, "run=runs/live", "[data-chart='loss'] .chart[data-points='1']")
    assert page.locator("main h1 [data-status='training']").count() == 1
    with (live / "metrics.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(lines[1])
    page.wait_for_selector("[data-chart='loss'] .chart[data-points='2']")
    shutil.copytree(source / "final", live / "final")
    shutil.copy(source / "summary.json", live / "summary.json")
    page.wait_for_selector("main h1 [data-status='finished']")
    assert page.js_errors == []
