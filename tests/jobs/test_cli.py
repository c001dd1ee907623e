"""`tunesmith jobs`: create (uploading the file), follow, list, show, against a live server; the key from the
environment; a refused request is one clear line and exit status 2."""

from __future__ import annotations

import re

import pytest

from tests.cli.test_commands import run_cli
from tests.jobs.conftest import KEY, chat_rows, jsonl

pytestmark = pytest.mark.slow


@pytest.fixture
def server_env(monkeypatch, ft_server):
    monkeypatch.setenv("TUNESMITH_BASE_URL", ft_server.base_url)
    monkeypatch.setenv("TUNESMITH_API_KEY", KEY)
    return ft_server


def test_create_wait_list_show(monkeypatch, capsys, tmp_path, server_env):
    data = tmp_path / "train.jsonl"
    data.write_bytes(jsonl(chat_rows(12)))
    args = ["jobs", "create", str(data), "--model", server_env.base_name, "--epochs", "1", "--batch-size", "4"]
    code, out, err = run_cli(monkeypatch, capsys, *args, "--suffix", "cli", "--wait")
    assert code == 0, err
    job_id = re.search(r"Queued (ftjob-\w+)", out).group(1)
    assert "Uploaded train.jsonl as file-" in out and "Step 3/3: training loss=" in out
    assert f"{job_id}: succeeded, model ft:{server_env.base_name}:cli:{job_id}" in out

    code, out, _ = run_cli(monkeypatch, capsys, "jobs", "list")
    assert code == 0 and job_id in out and "succeeded" in out
    code, out, _ = run_cli(monkeypatch, capsys, "jobs", "show", job_id)
    assert code == 0 and "n_epochs 1" in out and "ckpt-step-3" in out


def test_refused_request_is_one_line_and_exit_2(monkeypatch, capsys, tmp_path, server_env):
    data = tmp_path / "train.jsonl"
    data.write_bytes(jsonl(chat_rows(12)))
    code, _, err = run_cli(monkeypatch, capsys, "jobs", "create", str(data), "--model", "gpt-4o-mini")
    assert code == 2
    assert "server (400, model)" in err and "not available for fine-tuning" in err
    assert KEY not in err


def test_unreachable_server_says_so(monkeypatch, capsys):
    monkeypatch.setenv("TUNESMITH_BASE_URL", "http://127.0.0.1:9/v1")
    code, _, err = run_cli(monkeypatch, capsys, "jobs", "list")
    assert code == 2 and "cannot reach the server" in err
