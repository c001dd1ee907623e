"""Refused uploads and job requests: OpenAI's error shape and status, the line or parameter named, nothing queued."""

from __future__ import annotations

import httpx
import pytest

from tests.jobs.conftest import KEY, chat_rows, dpo_rows, jsonl


@pytest.fixture
def http(ft_server):
    with httpx.Client(base_url=ft_server.base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
        yield client


def upload(http, data: bytes, name: str = "train.jsonl", purpose: str = "fine-tune") -> httpx.Response:
    return http.post("/files", files={"file": (name, data)}, data={"purpose": purpose})


def error_of(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}
    return error


def test_malformed_jsonl_is_refused_naming_the_line(http):
    data = jsonl(chat_rows(3)) + b'{"messages": [oops]}\n'
    error = error_of(upload(http, data, "broken.jsonl"), 400)
    assert "line 4" in error["message"] and error["param"] == "file"
    assert http.get("/files").json()["data"] == []


def test_upload_purpose_must_be_fine_tune(http):
    assert error_of(upload(http, jsonl(chat_rows(10)), purpose="assistants"), 400)["param"] == "purpose"


def test_bad_job_requests_queue_nothing(http, ft_server):
    good = upload(http, jsonl(chat_rows(12))).json()["id"]
    prefs = upload(http, jsonl(dpo_rows(12)), "prefs.jsonl").json()["id"]
    base = {"model": ft_server.base_name, "training_file": good}
    cases = [
        ({**base, "model": "gpt-4o-mini"}, "model", "model_not_available"),
        ({**base, "method": {"type": "magic"}}, "method.type", None),
        ({**base, "validation_file": prefs}, "validation_file", "invalid_validation_file"),
        ({**base, "training_file": prefs}, "training_file", "invalid_training_file"),
        ({**base, "training_file": "file-doesnotexist"}, "training_file", "file_not_found"),
        ({**base, "hyperparameters": {"n_epochs": 0}}, "hyperparameters.n_epochs", None),
        (
            {**base, "method": {"type": "supervised", "supervised": {"hyperparameters": {"batch_size": 10_000}}}},
            "method.supervised.hyperparameters.batch_size",
            None,
        ),
        ({**base, "suffix": "no spaces allowed"}, "suffix", None),
        ({**base, "surprise": 1}, "surprise", None),
    ]
    for body, param, code in cases:
        error = error_of(http.post("/fine_tuning/jobs", json=body), 400)
        assert error["param"] is not None and error["param"].startswith(param), (body, error)
        if code:
            assert error["code"] == code, (body, error)
    assert http.get("/fine_tuning/jobs").json()["data"] == []
    assert not (ft_server.root / "jobs").exists() or not any((ft_server.root / "jobs").iterdir())


def test_too_few_examples_is_refused(http, ft_server):
    few = upload(http, jsonl(chat_rows(3))).json()["id"]
    error = error_of(http.post("/fine_tuning/jobs", json={"model": ft_server.base_name, "training_file": few}), 400)
    assert error["param"] == "training_file" and "10" in error["message"]


def test_unknown_job_and_file_ids_are_404(http):
    assert error_of(http.get("/fine_tuning/jobs/ftjob-nothere"), 404)["code"] == "job_not_found"
    assert error_of(http.get("/files/file-nothere"), 404)["code"] == "file_not_found"
    assert error_of(http.post("/fine_tuning/jobs/ftjob-nothere/cancel"), 404)["code"] == "job_not_found"


def test_python_grader_is_refused_without_the_flag(http, ft_server):
    prompts = [{"messages": r["messages"][:2], "reference_answer": r["messages"][2]["content"]} for r in chat_rows(12)]
    file_id = upload(http, jsonl(prompts), "rl.jsonl").json()["id"]
    grader = {"type": "python", "name": "mine", "source": "def grade(sample, item):\n    return 1.0\n"}
    method = {"type": "reinforcement", "reinforcement": {"grader": grader}}
    body = {"model": ft_server.base_name, "training_file": file_id, "method": method}
    error = error_of(http.post("/fine_tuning/jobs", json=body), 400)
    assert "--allow-code-graders" in error["message"] and error["param"] == "method.reinforcement.grader"
