"""A server killed with `kill -9` mid-job: restarted, it resumes the job from its last checkpoint and finishes it
at the same step count, with the final loss of an uninterrupted job, and no event lost or repeated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.jobs.conftest import KEY, all_events, chat_rows, jsonl, wait_for
from tests.serve.live import free_port

pytestmark = pytest.mark.slow


class ServerProcess:
    """`tunesmith serve MODEL --fine-tuning ROOT` in its own process."""

    def __init__(self, model: Path, root: Path):
        self.model, self.root, self.port = model, root, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ServerProcess:
        command = [sys.executable, "-m", "tunesmith", "serve", str(self.model), "--port", str(self.port)]
        command += [
            "--fine-tuning",
            str(self.root),
            "--store",
            str(self.root / "store.db"),
            "--keys-file",
            str(self.keys),
        ]
        log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.root / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError("server did not start")

    @property
    def keys(self) -> Path:
        path = self.root / "keys.txt"
        path.write_text(KEY + "\n")
        return path

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(120)


def workers_of(job_id: str) -> list[int]:
    """Pids of worker processes training `job_id`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"tunesmith.jobs.worker" in cmdline and job_id.encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_kill_9_mid_job_resumes_to_the_same_result(tmp_path, tiny_model_dir):
    from openai import OpenAI

    server = ServerProcess(tiny_model_dir, tmp_path).start()
    try:
        client = OpenAI(base_url=server.base_url, api_key=KEY, max_retries=2, timeout=60)
        file_id = client.files.create(file=("train.jsonl", jsonl(chat_rows(20))), purpose="fine-tune").id
        method = {
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 4, "batch_size": 2, "learning_rate_multiplier": 10}},
        }
        name = tiny_model_dir.name
        crashed = client.fine_tuning.jobs.create(model=name, training_file=file_id, method=method, seed=3)
        steady = client.fine_tuning.jobs.create(model=name, training_file=file_id, method=method, seed=3)

        deadline = time.monotonic() + 300  # kill once the first epoch's checkpoint (step 10 of 40) exists
        while not client.fine_tuning.jobs.checkpoints.list(crashed.id).data:
            assert time.monotonic() < deadline, "no checkpoint"
            time.sleep(0.3)
        server.kill()
        time.sleep(1)
        assert workers_of(crashed.id) == []  # the worker died with its server: no orphan training

        server.start()
        client = OpenAI(base_url=server.base_url, api_key=KEY, max_retries=2, timeout=60)
        done = wait_for(client, crashed.id, ("succeeded",), timeout=600)
        reference = wait_for(client, steady.id, ("succeeded",), timeout=600)

        events = all_events(client, crashed.id)
        steps = [e.data["step"] for e in events if e.type == "metrics"]
        assert steps == list(range(1, 41))  # every step reported exactly once across the crash
        assert any(e.message.startswith("The server restarted") for e in events)
        final, expected = events_loss(client, done.id), events_loss(client, reference.id)
        first = next(e.data["train_loss"] for e in events if e.type == "metrics")
        assert final == pytest.approx(expected, rel=1e-3)  # the issue asks 1%; resuming reproduces the run
        assert abs(first - final) > 10 * abs(final - expected) + 1e-3  # training moved: the check can tell
        assert [c.step_number for c in client.fine_tuning.jobs.checkpoints.list(done.id).data] == [40, 30, 20, 10]
        print(f"loss: first step {first:.6f}; final after kill -9 and resume {final:.6f}, uninterrupted {expected:.6f}")
    finally:
        server.stop()


def events_loss(client, job_id: str) -> float:
    """The last step's training loss, from the job's checkpoint metrics (the final one)."""
    return client.fine_tuning.jobs.checkpoints.list(job_id).data[0].metrics.train_loss
