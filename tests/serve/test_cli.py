"""`tunesmith logs list|show|export`, and `tunesmith serve` as a process killed with SIGKILL under load."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.serve.live import free_port
from tunesmith.cli.main import main
from tunesmith.serve.store import Feedback, LoggedRequest, Store


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return (exc.value.code or 0), out, err


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "log.db"
    store = Store(path)
    for i, model in enumerate(["alpha", "beta", "alpha"]):
        messages = [{"role": "user", "content": f"question {i}"}]
        store.log(
            LoggedRequest(
                id=f"chatcmpl-{i}",
                endpoint="chat",
                model=model,
                output=f"answer {i}",
                messages=messages,
                prompt_tokens=5,
                completion_tokens=2,
                tags=["demo"],
            )
        )
    store.add_feedback(Feedback("chatcmpl-2", rating="down", correction="better 2"))
    store.close()
    return path


def test_logs_list_and_show(monkeypatch, capsys, log_file):
    from tunesmith.cli.console import console

    monkeypatch.setattr(console, "width", 160)  # a wide terminal: the table has 8 columns
    code, out, _ = run_cli(monkeypatch, capsys, "logs", "list", "--store", str(log_file), "--model", "alpha")
    assert code == 0
    assert "chatcmpl-0" in out and "chatcmpl-2" in out and "chatcmpl-1" not in out
    assert "corrected" in out and "2 logged requests" in out
    code, out, _ = run_cli(monkeypatch, capsys, "logs", "show", "chatcmpl-2", "--store", str(log_file))
    shown = json.loads(out)
    assert code == 0 and shown["output"] == "answer 2" and shown["feedback"][0]["correction"] == "better 2"


def test_logs_export_writes_a_dataset(monkeypatch, capsys, log_file, tmp_path):
    out_file = tmp_path / "sft.jsonl"
    args = ["logs", "export", "--format", "sft", "--out", str(out_file), "--store", str(log_file), "--tag", "demo"]
    code, out, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0 and "Wrote 3 sft rows" in out
    answers = [json.loads(line)["messages"][-1]["content"] for line in out_file.read_text().splitlines()]
    assert answers == ["answer 0", "answer 1", "better 2"]
    code, _, _ = run_cli(
        monkeypatch,
        capsys,
        "logs",
        "export",
        "--format",
        "kto",
        "--out",
        str(out_file),
        "--store",
        str(log_file),
        "--feedback",
        "corrected",
    )
    assert code == 0 and len(out_file.read_text().splitlines()) == 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["logs", "list", "--store", "{missing}"], "no request log here"),
        (["logs", "show", "chatcmpl-9", "--store", "{log}"], "chatcmpl-9: no logged request"),
        (["logs", "list", "--store", "{log}", "--since", "last week"], "--since last week"),
        (["logs", "export", "--format", "dpo", "--out", "{out}", "--store", "{log}"], "expected one of sft"),
        (["logs", "list", "--store", "{log}", "--feedback", "meh"], "--feedback meh"),
    ],
)
def test_logs_bad_input_exits_2(monkeypatch, capsys, log_file, tmp_path, args, expected):
    paths = {"missing": tmp_path / "missing.db", "log": log_file, "out": tmp_path / "o.jsonl"}
    code, _, err = run_cli(monkeypatch, capsys, *[a.format(**paths) for a in args])
    assert code == 2 and expected in err
    assert not (tmp_path / "o.jsonl").exists() and not (tmp_path / "missing.db").exists()


def test_serve_killed_with_sigkill_under_load_keeps_every_answered_row(tmp_path, tiny_model_dir, adapter_runs):
    port, key, db = free_port(), "sk-cli-test-key-0001", tmp_path / "serve.db"
    (tmp_path / "keys.txt").write_text(f"{key}\nadmin sk-cli-admin-key-0001\n")
    command = [
        sys.executable,
        "-m",
        "tunesmith",
        "serve",
        str(tiny_model_dir),
        "--adapter",
        f"alpha={adapter_runs['alpha']}",
        "--port",
        str(port),
        "--store",
        str(db),
        "--keys-file",
        str(tmp_path / "keys.txt"),
        "--max-tokens",
        "32",
    ]
    with open(tmp_path / "server.log", "w") as log:
        env = {**os.environ, "TUNESMITH_KEY_SECRET": "a-test-secret-of-32-characters-or-more"}
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=os.getcwd(), env=env)
    root, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"{root}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert key.encode() not in Path(f"/proc/{server.pid}/cmdline").read_bytes()  # `ps` shows no key
        answered, stop = [], threading.Event()

        def load(worker: int) -> None:
            for i in range(200):
                if stop.is_set():
                    return
                body = {
                    "model": "alpha" if i % 2 else "tiny-llama0",
                    "max_tokens": 16,
                    "temperature": 0,
                    "messages": [{"role": "user", "content": f"worker {worker} request {i}"}],
                }
                try:
                    reply = httpx.post(f"{root}/v1/chat/completions", json=body, headers=headers, timeout=60)
                except httpx.TransportError:
                    return
                if reply.status_code == 200:
                    answered.append(reply.json()["id"])

        threads = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        while len(answered) < 12:
            assert server.poll() is None and any(t.is_alive() for t in threads)
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(60)
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(30)

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(db)
    logged = {r.id: r for r in store.query()}
    assert set(answered) <= set(logged)  # every answer the clients got was committed first
    assert all(r.status in ("ok", "cancelled") and r.completion_tokens <= 16 for r in logged.values())
    store.close()


def test_threads_sets_torchs_pool_for_the_generation_worker(tmp_path, tiny_model_dir):
    import torch

    from tunesmith.serve.launch import ServeOptions, build

    before = torch.get_num_threads()
    try:
        _, store = build(ServeOptions(model=str(tiny_model_dir), threads=1, store=str(tmp_path / "t.db")))
        store.close()
        seen = []
        worker = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))  # as the batch worker starts
        worker.start()
        worker.join()
        assert torch.get_num_threads() == 1 and seen == [1]
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--upstream", "api.openai.com/v1"], "expected an http(s) base URL"),
        (["m", "--upstream", "http://127.0.0.1:9/v1", "--adapter", "a=run"], "it loads no adapters"),
        (["m", "--upstream", "http://127.0.0.1:9/v1", "--backend", "vllm"], "forwards to the teacher instead"),
        (
            ["m", "--upstream", "http://127.0.0.1:9/v1", "--upstream-key-env", "TS_NO_SUCH_KEY"],
            "TS_NO_SUCH_KEY is not set",
        ),
        (["--upstream", "http://127.0.0.1:{port}/v1"], "could not list the teacher's models"),
    ],
)
def test_serve_proxy_bad_options_exit_2(monkeypatch, capsys, tmp_path, args, expected):
    monkeypatch.delenv("TS_NO_SUCH_KEY", raising=False)
    db = tmp_path / "proxy.db"
    args = [a.format(port=free_port()) for a in args]
    code, _, err = run_cli(monkeypatch, capsys, "serve", *args, "--store", str(db))
    assert code == 2 and expected in err
    assert not db.exists()


def test_serve_refuses_keys_on_the_command_line(monkeypatch, capsys):
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--api-key", "sk-visible-in-ps-0001")
    assert code == 2 and "visible to every user" in err and "--keys-file" in err
    assert "sk-visible-in-ps-0001" not in err
