"""The Train page in a real browser: the recipe form writes the YAML live, a typo gets the CLI's own message, and a
launched job draws its curves while it runs, pauses, resumes and succeeds; a failing job shows its error."""

from __future__ import annotations

import httpx
import pytest
import yaml

from tests.ui.conftest import ADMIN_KEY, open_page
from tunesmith.config import load_recipe
from tunesmith.errors import InputError

pytestmark = pytest.mark.slow  # trains the tiny model in a worker process
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
LONG = 300_000  # ms: a job's whole life on a busy CPU


def cli_message(tmp_path, monkeypatch, raw: dict) -> str:
    """What `tunesmith train recipe.yaml` prints after `error:` for this recipe."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_recipe("recipe.yaml")
    return str(caught.value)


def points(page, chart: str) -> int:
    return int(page.get_attribute(f"#chart-{chart} .chart", "data-points") or 0)


def wait_points(page, chart: str, more_than: int) -> None:
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel)?.dataset.points || 0) > n",
        arg=[f"#chart-{chart} .chart", more_than],
        timeout=LONG,
    )


def wait_status(page, status: str) -> None:
    page.wait_for_selector(f"#job-status[data-status='{status}']", timeout=LONG)


WIDER = """() => [...document.querySelectorAll('main *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.scroll'))
  .slice(0, 5).map((el) => `${el.tagName}#${el.id}.${el.className}`)"""


def fits_phone(page) -> bool:
    """At 390 px the page itself does not scroll sideways (wide content scrolls inside its own box)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")  # re-laid out
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, page.evaluate(WIDER)
    return fits


def test_recipe_form_to_a_trained_job(page, ui_server, tmp_path, monkeypatch):
    page.add_init_script("sessionStorage.removeItem('tunesmith.train.recipe')")
    open_page(page, ui_server, "train")
    assert page.input_value("#rf-model") == ui_server.base_name  # the served base model, from /ui/api/info
    page.fill("#rf-data-train", "data/chat.jsonl")
    page.fill("#rf-method-r", "4")
    for key, value in {"max_steps": "40", "batch_size": "4", "logging_steps": "1", "eval_steps": "10"}.items():
        page.fill(f"#rf-train-{key}", value)
    page.wait_for_function("() => document.querySelector('#train-yaml').textContent.includes('max_steps: 40')")
    shown = yaml.safe_load(page.text_content("#train-yaml"))
    assert shown["method"]["r"] == 4 and shown["train"]["batch_size"] == 4 and shown["model"] == ui_server.base_name
    assert shown["data"]["train"] == "data/chat.jsonl" and shown["train"]["scheduler"] == "cosine"  # defaults filled in
    help_text = page.text_content("#rf-train-learning_rate-help")
    assert "learning rate" in help_text.lower() and "auto" in help_text  # its default, explained

    # An unknown method name: the same words as `tunesmith train` for the same recipe.
    page.fill("#rf-method-name", "lorra")
    page.wait_for_selector("#train-yaml-error .error")
    raw = page.evaluate("JSON.parse(sessionStorage.getItem('tunesmith.train.recipe'))")
    expected = cli_message(tmp_path, monkeypatch, raw)
    assert "did you mean 'lora'?" in expected
    assert page.text_content("#train-yaml-error .error") == expected
    page.fill("#rf-method-name", "lora")
    page.wait_for_selector("#rf-method-r")
    page.fill("#rf-method-r", "4")
    page.wait_for_function("() => document.querySelector('#train-yaml-error').childElementCount === 0")

    # Launch with the keyboard alone.
    page.focus("#train-launch")
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-page='train'] #job-status[data-status]")
    assert "job=ftjob-" in page.url
    wait_points(page, "loss", 0)
    first = points(page, "loss")
    page.click("#job-pause")
    wait_status(page, "paused")
    assert page.is_enabled("#job-resume") and not page.is_enabled("#job-pause")
    paused_at = points(page, "loss")
    assert paused_at >= first
    page.click("#job-resume")
    page.wait_for_selector("#job-status[data-status='queued'], #job-status[data-status='running']")
    wait_points(page, "loss", paused_at)  # the chart grows again while it runs
    wait_status(page, "succeeded")
    page.wait_for_function("() => Number(document.querySelector('#chart-loss .chart').dataset.points) === 40")
    assert points(page, "lr") == 40 and points(page, "valid") >= 3
    assert page.text_content("#job-events li:first-child").strip().endswith("The job has successfully completed")
    assert page.text_content("#job-model").startswith("Model ft:")
    assert not page.is_enabled("#job-cancel")
    assert fits_phone(page)

    # The recipe page lists the job; it also fits a phone.
    open_page(page, ui_server, "train")
    page.wait_for_selector("#train-jobs a[href^='#/train?job=ftjob-']")
    assert fits_phone(page)
    assert page.js_errors == []


def test_a_failing_job_shows_its_error_and_last_events(page, ui_server):
    broken = ui_server.workspace / "data" / "broken.jsonl"
    broken.write_text('{"messages": [{"role": "user", "content": "hi"}]}\nnot json\n', encoding="utf-8")
    recipe = {"model": ui_server.base_name, "data": {"train": "data/broken.jsonl"}, "train": {"max_steps": 2}}
    created = httpx.post(f"{ui_server.root}/ui/api/recipe/jobs", json={"recipe": recipe}, headers=AUTH, timeout=60)
    assert created.status_code == 200, created.text
    open_page(page, ui_server, "train", f"job={created.json()['id']}")
    wait_status(page, "failed")
    page.wait_for_selector("#job-error .error")
    message = page.text_content("#job-error .error")
    assert "data/broken.jsonl" in message and str(ui_server.workspace) not in message
    assert page.locator("#job-error .last-events li").count() >= 1
    assert not page.is_enabled("#job-pause") and not page.is_enabled("#job-cancel")
    page.click("text=← New recipe")  # the page stays usable
    page.wait_for_selector("#rf-method-name")
    assert page.js_errors == []
