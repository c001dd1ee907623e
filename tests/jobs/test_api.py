"""OpenAI's fine-tuning API, driven with the official `openai` client unchanged, against a live server."""

from __future__ import annotations

import csv
import io

import openai
import pytest

from tests.jobs.conftest import all_events, chat_rows, dpo_rows, jsonl, wait_for

pytestmark = pytest.mark.slow  # each job trains the tiny model in a worker process


def upload(client, rows: list[dict], name: str = "train.jsonl") -> str:
    return client.files.create(file=(name, jsonl(rows)), purpose="fine-tune").id


def test_supervised_job_from_upload_to_served_model(client, other_client, ft_server):
    file_id = upload(client, chat_rows(20))
    job = client.fine_tuning.jobs.create(
        model=ft_server.base_name,
        training_file=file_id,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 4}}},
        suffix="quiz",
        seed=7,
        metadata={"team": "qa"},
    )
    assert job.status == "queued" and job.seed == 7 and job.metadata == {"team": "qa"}
    resolved = job.method.supervised.hyperparameters
    assert (resolved.n_epochs, resolved.batch_size, resolved.learning_rate_multiplier) == (2, 4, 1.0)  # "auto" resolved

    done = wait_for(client, job.id, ("succeeded",))
    assert done.fine_tuned_model == f"ft:{ft_server.base_name}:quiz:{job.id}"
    assert done.trained_tokens > 0 and done.finished_at >= done.created_at

    events = all_events(client, job.id)
    steps = [e.data["step"] for e in events if e.type == "metrics" and "train_loss" in e.data]
    assert steps == list(range(1, 11))  # 20 examples / batch 4 = 5 steps an epoch, 2 epochs: each step once
    messages = [e.message for e in events]
    assert messages[0] == f"Validating training file: {file_id}"
    assert messages[-1] == "The job has successfully completed"

    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
    assert [c.step_number for c in checkpoints] == [10, 5]  # one per epoch, newest first
    assert checkpoints[0].metrics.train_loss is not None

    results = client.files.content(done.result_files[0]).text
    rows = list(csv.DictReader(io.StringIO(results)))
    assert [int(r["step"]) for r in rows] == list(range(1, 11)) and float(rows[-1]["train_loss"]) > 0

    for model in (done.fine_tuned_model, checkpoints[1].fine_tuned_model_checkpoint):
        reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
        assert reply.model == model and reply.choices[0].finish_reason in ("stop", "length")
    assert done.fine_tuned_model in [m.id for m in client.models.list().data]

    # Another key sees none of it.
    with pytest.raises(openai.NotFoundError):
        other_client.files.retrieve(file_id)
    with pytest.raises(openai.NotFoundError):
        other_client.fine_tuning.jobs.retrieve(job.id)
    assert other_client.fine_tuning.jobs.list().data == []
    assert other_client.files.list().data == []
    assert done.fine_tuned_model not in [m.id for m in other_client.models.list().data]
    with pytest.raises(openai.NotFoundError):
        other_client.chat.completions.create(model=done.fine_tuned_model, messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(openai.NotFoundError):
        other_client.models.delete(done.fine_tuned_model)

    assert client.models.delete(done.fine_tuned_model).deleted
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model=done.fine_tuned_model, messages=[{"role": "user", "content": "Hi"}])
    assert client.fine_tuning.jobs.retrieve(job.id).fine_tuned_model is None


def test_dpo_job_trains_on_openai_preference_file(client, ft_server):
    file_id = upload(client, dpo_rows(12), "prefs.jsonl")
    method = {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 1, "batch_size": 4}}}
    job = client.fine_tuning.jobs.create(model=ft_server.base_name, training_file=file_id, method=method)
    assert job.method.dpo.hyperparameters.beta == 0.2
    done = wait_for(client, job.id, ("succeeded",))
    losses = [e.data["train_loss"] for e in all_events(client, job.id) if e.type == "metrics"]
    assert len(losses) == 3  # 12 pairs / batch 4
    reply = client.chat.completions.create(
        model=done.fine_tuned_model, messages=[{"role": "user", "content": "Capital of France?"}], max_tokens=4
    )
    assert reply.choices[0].message.content is not None


def test_pause_resume_then_cancel(client, ft_server):
    file_id = upload(client, chat_rows(20))
    method = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 10, "batch_size": 1}}}
    job = client.fine_tuning.jobs.create(model=ft_server.base_name, training_file=file_id, method=method)
    wait_for(client, job.id, ("running",))
    _wait_for_steps(client, job.id, 3)

    client.fine_tuning.jobs.pause(job.id)
    paused = wait_for(client, job.id, ("paused",))
    assert paused.finished_at is None
    pause_event = next(e for e in reversed(all_events(client, job.id)) if e.message.startswith("Job paused"))
    paused_at = int(pause_event.message.split("step ")[1].split(";")[0])
    assert 3 <= paused_at < 200

    client.fine_tuning.jobs.resume(job.id)
    wait_for(client, job.id, ("running",))
    _wait_for_steps(client, job.id, paused_at + 2)
    client.fine_tuning.jobs.cancel(job.id)
    cancelled = wait_for(client, job.id, ("cancelled",))
    assert cancelled.fine_tuned_model is None and cancelled.finished_at is not None

    steps = [e.data["step"] for e in all_events(client, job.id) if e.type == "metrics"]
    assert steps == list(range(1, len(steps) + 1))  # resumed where it paused: no step lost or repeated
    assert any(e.message.startswith("Resumed from the checkpoint at step") for e in all_events(client, job.id))
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.resume(job.id)  # a cancelled job is over


def _wait_for_steps(client, job_id: str, count: int, timeout: float = 120.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(1 for e in all_events(client, job_id) if e.type == "metrics") >= count:
            return
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not reach {count} steps")


def test_reinforcement_job_with_a_string_check_grader(client, ft_server):
    rows = [{"messages": r["messages"][:2], "reference_answer": r["messages"][2]["content"]} for r in chat_rows(12)]
    file_id = upload(client, rows, "rl.jsonl")
    grader = {
        "type": "string_check",
        "name": "answer",
        "input": "{{ sample.output_text }}",
        "reference": "{{ item.reference_answer }}",
        "operation": "ilike",
    }
    method = {
        "type": "reinforcement",
        "reinforcement": {"grader": grader, "hyperparameters": {"n_epochs": 1, "batch_size": 4}},
    }
    job = client.fine_tuning.jobs.create(model=ft_server.base_name, training_file=file_id, method=method)
    assert job.method.reinforcement.hyperparameters.batch_size == 4  # whole groups of 4 completions
    done = wait_for(client, job.id, ("succeeded",))
    steps = [e.data["step"] for e in all_events(client, job.id) if e.type == "metrics"]
    assert steps == list(range(1, 13))  # 12 prompts x 4 completions / 4 per step
    assert done.fine_tuned_model.startswith(f"ft:{ft_server.base_name}::")
