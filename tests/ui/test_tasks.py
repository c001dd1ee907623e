"""The UI's task runner: real `tunesmith` commands in the workspace (one that works, one the CLI refuses), and a
stand-in interpreter for what a real command cannot show quickly (cancel, the queue, the environment)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from tests.ui.conftest import chat_rows, write_jsonl
from tunesmith.serve.keys import ADMIN_KEYS_ENV, INFERENCE_KEYS_ENV
from tunesmith.ui.tasks.configs import save_config
from tunesmith.ui.tasks.runner import INTERRUPTED
from tunesmith.ui.tasks.service import Tasks
from tunesmith.ui.workspace import Workspace

PIPELINE = "inputs:\n  - path: ../data/chat.jsonl\noutput: ../data/clean\nops:\n  - dedup: {method: exact}\n"


@pytest.fixture
def tasks(tmp_path):
    root = Workspace.open(tmp_path / "ws").root
    write_jsonl(root / "data" / "chat.jsonl", chat_rows())
    service = Tasks(root, slots=1, grace=0.5)
    service.runner.start()
    yield service
    service.runner.close()


def wait_for(tasks: Tasks, task_id: str, *statuses: str, timeout: float = 300):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        task = tasks.store.get(task_id)
        if task.status in statuses:
            return task
        time.sleep(0.1)
    raise AssertionError(f"{task_id} stayed {tasks.store.get(task_id).status}")


def stand_in(tasks: Tasks, script: str) -> None:
    """Run `script` (sh) in place of `python -m tunesmith …`: the runner's own behaviour, without a real command."""
    path = tasks.root.parent / "stand-in.sh"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    tasks.runner.python = str(path)


def test_a_pipeline_task_runs_the_cli_and_lists_what_it_wrote(tasks):
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    task = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    assert task.command == "tunesmith data run configs/clean.yaml"
    assert task.output == "data/clean"
    done = wait_for(tasks, task.id, "succeeded", "failed")
    assert done.status == "succeeded", tasks.store.log_path(task.id).read_text()
    assert done.artifacts == ["data/clean/data.jsonl", "data/clean/report.html", "data/clean/report.json"]
    assert done.error is None and done.started_at <= done.finished_at
    log = tasks.store.read_log(done, 0)
    assert "Pipeline steps" in log.text and log.done
    assert str(tasks.root) not in log.text
    assert tasks.store.read_log(done, log.offset).text == ""


def test_a_failing_task_carries_the_cli_message_without_a_server_path(tasks):
    (tasks.root / "configs" / "missing.yaml").write_text("inputs:\n  - path: ../data/nope.jsonl\noutput: ../data/x\n")
    task = tasks.create("data_run", {"pipeline": "configs/missing.yaml"})
    done = wait_for(tasks, task.id, "succeeded", "failed")
    assert done.status == "failed"
    assert done.error.startswith("configs/../data/nope.jsonl: not found")
    assert "error: " + done.error in tasks.store.log_path(task.id).read_text()  # the CLI's own words
    assert str(tasks.root) not in done.error and "/tmp" not in done.error
    assert done.artifacts == []


def test_cancel_sends_sigterm_then_sigkill_and_the_queue_moves_on(tasks):
    stand_in(tasks, "trap '' TERM\necho started\nwhile true; do sleep 0.1; done")
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    first = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    second = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    wait_for(tasks, first.id, "running")
    assert tasks.store.get(second.id).status == "queued"  # one slot: the second waits
    tasks.runner.cancel(first.id)  # it ignores SIGTERM: SIGKILL follows after the grace period
    assert wait_for(tasks, first.id, "cancelled").finished_at is not None
    wait_for(tasks, second.id, "running")
    assert tasks.runner.cancel(second.id).status in ("running", "cancelled")
    wait_for(tasks, second.id, "cancelled")


def test_a_queued_task_is_cancelled_before_it_starts(tasks):
    stand_in(tasks, "while true; do sleep 0.1; done")
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    first = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    second = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    wait_for(tasks, first.id, "running")
    assert tasks.runner.cancel(second.id).status == "cancelled"
    tasks.runner.cancel(first.id)
    wait_for(tasks, first.id, "cancelled")
    assert tasks.store.get(second.id).started_at is None


def test_commands_do_not_see_the_server_keys(tasks, monkeypatch):
    monkeypatch.setenv(ADMIN_KEYS_ENV, "sk-admin-secret-0123456789")
    monkeypatch.setenv(INFERENCE_KEYS_ENV, "sk-inference-secret-0123456789")
    monkeypatch.setenv("SOME_SETTING", "kept")
    stand_in(tasks, 'env; echo "cwd=$(pwd)"')
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    task = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    assert wait_for(tasks, task.id, "succeeded", "failed").status == "succeeded"
    log = tasks.store.log_path(task.id).read_text()
    assert "SOME_SETTING=kept" in log and f"cwd={tasks.root}" in log
    assert "secret" not in log and ADMIN_KEYS_ENV not in log and INFERENCE_KEYS_ENV not in log


def test_a_restart_marks_tasks_a_dead_server_left_running_failed(tasks):
    stand_in(tasks, "while true; do sleep 0.1; done")
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    task = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    wait_for(tasks, task.id, "running")
    orphan = tasks.store.get(task.id)
    tasks.runner.close()  # the server stops: its command is killed, the task marked interrupted
    stopped = tasks.store.get(task.id)
    assert stopped.status == "failed" and stopped.error == INTERRUPTED
    tasks.store.save(orphan)  # as a server killed with -9 leaves it: still `running`
    again = Tasks(tasks.root)
    again.runner.start()
    try:
        found = again.store.get(task.id)
        assert found.status == "failed" and found.error == INTERRUPTED
    finally:
        again.runner.close()


def test_a_failed_command_without_an_error_line_names_its_exit_status(tasks):
    stand_in(tasks, f"echo 'crashed reading {tasks.root}/data/chat.jsonl'\nexit 3")
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    task = tasks.create("data_run", {"pipeline": "configs/clean.yaml"})
    done = wait_for(tasks, task.id, "failed")
    assert done.error == "the command ended with exit status 3: crashed reading data/chat.jsonl"


def test_tasks_are_listed_newest_first_and_by_kind(tasks):
    stand_in(tasks, "exit 0")
    save_config(tasks.root, "data_pipeline", "clean", PIPELINE)
    ids = [tasks.create("data_run", {"pipeline": "configs/clean.yaml"}).id for _ in range(3)]
    assert [t.id for t in tasks.store.all("data_run")] == ids[::-1]
    assert tasks.store.all("arena") == []
    assert os.path.isfile(Path(tasks.store.dir(ids[0])) / "task.json")


def test_the_tasks_start_and_stop_with_the_app(tmp_path):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from tunesmith.ui.state import UiState
    from tunesmith.ui.tasks.service import attach

    app = FastAPI()
    app.state.ui = UiState(Workspace.open(tmp_path / "ws"))
    attach(app)
    with TestClient(app):
        runner = app.state.ui_tasks.runner
        assert runner._thread.is_alive()
    assert not runner._thread.is_alive()
