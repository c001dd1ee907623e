"""The Train page's API: the recipe schema, validation with the CLI's own messages, and a recipe launched as a job of
the server's runner (then driven by the unchanged /v1/fine_tuning/jobs routes)."""

from __future__ import annotations

import time

import httpx
import pytest
import yaml

from tests.ui.conftest import ADMIN_KEY
from tunesmith.config import load_recipe
from tunesmith.errors import InputError

pytestmark = pytest.mark.slow  # the job tests train the tiny model in a worker process
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


def tiny_recipe(base: str, max_steps: int = 6, **train) -> dict:
    return {
        "model": base,
        "data": {"train": "data/chat.jsonl"},
        "method": {"name": "lora", "r": 4, "alpha": 8},
        "train": {"max_steps": max_steps, "batch_size": 4, "logging_steps": 1, "eval_steps": 3, **train},
    }


def post(server, path: str, body: dict) -> httpx.Response:
    return httpx.post(f"{server.root}{path}", json=body, headers=AUTH, timeout=60)


def job(server, job_id: str, action: str = "") -> dict:
    url = f"{server.root}/v1/fine_tuning/jobs/{job_id}{'/' + action if action else ''}"
    answer = httpx.post(url, headers=AUTH) if action else httpx.get(url, headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_status(server, job_id: str, *statuses: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = job(server, job_id)
        if found["status"] in statuses:
            return found
        assert time.monotonic() < deadline and found["status"] not in ("failed", "succeeded", "cancelled"), found
        time.sleep(0.3)


def events(server, job_id: str) -> list[dict]:
    url = f"{server.root}/v1/fine_tuning/jobs/{job_id}/events"
    return httpx.get(url, params={"limit": 1000}, headers=AUTH).json()["data"]


def cli_message(tmp_path, monkeypatch, text: str) -> str:
    """What `tunesmith train recipe.yaml` prints after `error:` for this text."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recipe.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_recipe("recipe.yaml")
    return str(caught.value)


def described(schema: dict, node: dict, where: str, missing: list[str]) -> None:
    for key, prop in node.get("properties", {}).items():
        if not prop.get("description"):
            missing.append(f"{where}.{key}")


def test_schema_has_every_section_with_defaults_and_descriptions(ui_server):
    schema = httpx.get(f"{ui_server.root}/ui/api/recipe/schema", headers=AUTH).json()
    assert set(schema["properties"]) >= {"model", "data", "method", "stage", "train", "eval", "output"}
    assert schema["properties"]["method"]["discriminator"]["propertyName"] == "name"
    assert schema["properties"]["method"]["default"]["name"] == "lora"
    assert schema["$defs"]["TrainConfig"]["properties"]["learning_rate"]["default"] == "auto"
    missing: list[str] = []
    for name, node in schema["$defs"].items():
        described(schema, node, name, missing)
    described(schema, schema, "Recipe", missing)
    assert missing == []


def test_validate_returns_the_full_recipe_and_yaml(ui_server):
    text = yaml.safe_dump(tiny_recipe(ui_server.base_name))
    answer = post(ui_server, "/ui/api/recipe/validate", {"yaml": text})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["recipe"]["method"]["r"] == 4 and body["recipe"]["train"]["scheduler"] == "cosine"
    assert yaml.safe_load(body["yaml"])["data"]["train"] == "data/chat.jsonl"  # as written: no server path
    same = post(ui_server, "/ui/api/recipe/validate", {"recipe": tiny_recipe(ui_server.base_name)}).json()
    assert same["recipe"] == body["recipe"]


@pytest.mark.parametrize(
    "text",
    [
        "data: {train: data/chat.jsonl}\nmethod: {name: lorra}\n",
        "data: {train: data/chat.jsonl}\nmethod: {name: lora, rr: 4}\n",
        "data: {train: data/chat.jsonl}\ntrain: {batch_size: many}\n",
        "data: {train: data/chat.jsonl}\ntrain: [1, 2\n",
    ],
)
def test_bad_recipe_gets_the_cli_message(ui_server, tmp_path, monkeypatch, text):
    expected = cli_message(tmp_path, monkeypatch, text)
    for path in ("/ui/api/recipe/validate", "/ui/api/recipe/jobs"):
        answer = post(ui_server, path, {"yaml": text})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["message"] == expected
    if "lorra" in text:
        assert "did you mean 'lora'?" in expected


def test_paths_outside_the_workspace_are_not_found(ui_server):
    for bad in ("../../etc/passwd", "/etc/passwd", "data/missing.jsonl"):
        recipe = tiny_recipe(ui_server.base_name)
        recipe["data"]["train"] = bad
        answer = post(ui_server, "/ui/api/recipe/jobs", {"recipe": recipe})
        assert answer.status_code == 404, answer.text
        error = answer.json()["error"]
        assert error["param"] == "data.train" and error["code"] == "file_not_found"
        assert error["message"].startswith("No such file in the workspace: ")


def test_another_model_is_refused_clearly(ui_server):
    recipe = tiny_recipe(ui_server.base_name)
    recipe["model"] = "smollm2-135m"
    answer = post(ui_server, "/ui/api/recipe/jobs", {"recipe": recipe})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        f"Model 'smollm2-135m' is not available for fine-tuning here; this server fine-tunes '{ui_server.base_name}'."
    )


def test_recipe_job_trains_reports_curves_and_serves_its_model(ui_server):
    created = post(ui_server, "/ui/api/recipe/jobs", {"recipe": tiny_recipe(ui_server.base_name), "suffix": "ui"})
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["object"] == "fine_tuning.job" and body["method"]["supervised"]["hyperparameters"]["batch_size"] == 4
    assert body["metadata"] == {"data.train": "data/chat.jsonl"}
    done = wait_status(ui_server, body["id"], "succeeded")
    assert done["fine_tuned_model"] == f"ft:{ui_server.base_name}:ui:{body['id']}"

    found = events(ui_server, body["id"])
    steps = [e["data"] for e in found if e["type"] == "metrics" and "train_loss" in e["data"]]
    assert sorted(s["step"] for s in steps) == list(range(1, 7))
    assert all(s["learning_rate"] >= 0 and s["total_steps"] == 6 for s in steps)
    assert any("valid_loss" in e["data"] for e in found if e["type"] == "metrics")
    messages = " ".join(e["message"] for e in found)
    assert "training file data/chat.jsonl" in messages and str(ui_server.workspace) not in messages

    reply = httpx.post(
        f"{ui_server.root}/v1/chat/completions",
        json={"model": done["fine_tuned_model"], "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4},
        headers=AUTH,
        timeout=60,
    )
    assert reply.status_code == 200 and reply.json()["model"] == done["fine_tuned_model"]


def test_recipe_job_pauses_resumes_and_cancels(ui_server):
    created = post(ui_server, "/ui/api/recipe/jobs", {"recipe": tiny_recipe(ui_server.base_name, max_steps=400)})
    job_id = created.json()["id"]
    deadline = time.monotonic() + 300
    while not any(e["type"] == "metrics" for e in events(ui_server, job_id)):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert job(ui_server, job_id, "pause")["status"] in ("running", "paused")
    wait_status(ui_server, job_id, "paused")
    assert job(ui_server, job_id, "resume")["status"] == "queued"
    wait_status(ui_server, job_id, "running")
    job(ui_server, job_id, "cancel")
    assert wait_status(ui_server, job_id, "cancelled")["status"] == "cancelled"


def test_a_cancelled_job_continues_from_its_checkpoint_through_the_ui_only(ui_server):
    created = post(ui_server, "/ui/api/recipe/jobs", {"recipe": tiny_recipe(ui_server.base_name, max_steps=30)})
    job_id = created.json()["id"]
    deadline = time.monotonic() + 300
    while not any(e["type"] == "metrics" for e in events(ui_server, job_id)):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    job(ui_server, job_id, "cancel")
    cancelled = wait_status(ui_server, job_id, "cancelled")
    assert cancelled["finished_at"] is not None
    said = [e["message"] for e in events(ui_server, job_id) if e["message"].startswith("Job cancelled")]
    assert said and "resume" not in said[0]  # OpenAI's API keeps it over: the event promises nothing
    refused = httpx.post(f"{ui_server.root}/v1/fine_tuning/jobs/{job_id}/resume", headers=AUTH)
    assert refused.status_code == 400
    stopped_at = max(e["data"]["step"] for e in events(ui_server, job_id) if e["type"] == "metrics")

    resumed = post(ui_server, f"/ui/api/recipe/jobs/{job_id}/resume", {})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "queued" and resumed.json()["finished_at"] is None
    done = wait_status(ui_server, job_id, "succeeded")
    assert done["fine_tuned_model"].startswith("ft:")
    log = events(ui_server, job_id)
    assert any(e["message"].startswith(f"Resumed from the checkpoint at step {stopped_at}") for e in log)
    steps = [e["data"]["step"] for e in log if e["type"] == "metrics" and "train_loss" in e["data"]]
    assert sorted(steps) == list(range(1, 31))  # every step once: none lost, none repeated


def test_only_a_paused_or_checkpointed_cancelled_job_resumes_through_the_ui(ui_server):
    unknown = post(ui_server, "/ui/api/recipe/jobs/ftjob-nope/resume", {})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "job_not_found"
    created = post(ui_server, "/ui/api/recipe/jobs", {"recipe": tiny_recipe(ui_server.base_name, max_steps=2)})
    job_id = created.json()["id"]
    wait_status(ui_server, job_id, "succeeded")
    refused = post(ui_server, f"/ui/api/recipe/jobs/{job_id}/resume", {})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith(f"Job {job_id} is succeeded; only a paused job")
