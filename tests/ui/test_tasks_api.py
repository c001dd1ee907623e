"""`/ui/api/tasks` over HTTP: a task is checked before it is queued, runs, shows its log from an offset, and can be
cancelled; bad args get the CLI's words and no server path."""

from __future__ import annotations

import time

import httpx

from tests.ui.conftest import ADMIN_KEY

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


def api(server, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{server.root}/ui/api{path}", headers=AUTH, timeout=60, **kwargs)


def until_done(server, task_id: str) -> dict:
    end = time.monotonic() + 300
    while time.monotonic() < end:
        task = api(server, "GET", f"/tasks/{task_id}").json()
        if task["status"] in ("succeeded", "failed", "cancelled"):
            return task
        time.sleep(0.2)
    raise AssertionError(f"{task_id} did not finish")


def test_a_pipeline_runs_as_a_task_and_its_log_reads_in_pieces(ui_server):
    pipeline = "inputs: [{path: ../data/chat.jsonl}]\noutput: ../data/deduped\nops: [{dedup: {method: exact}}]\n"
    saved = api(ui_server, "POST", "/configs", json={"kind": "data_pipeline", "name": "dedup", "yaml": pipeline})
    assert saved.status_code == 200, saved.text
    created = api(ui_server, "POST", "/tasks", json={"kind": "data_run", "args": {"pipeline": "configs/dedup.yaml"}})
    assert created.status_code == 200, created.text
    task = created.json()
    assert task["status"] in ("queued", "running") and task["command"] == "tunesmith data run configs/dedup.yaml"
    assert "argv" not in task
    text, offset = "", 0
    while True:
        piece = api(ui_server, "GET", f"/tasks/{task['id']}/log", params={"offset": offset}).json()
        text, offset = text + piece["text"], piece["offset"]
        if piece["done"]:
            break
        time.sleep(0.2)
    done = until_done(ui_server, task["id"])
    assert done["status"] == "succeeded", text
    assert "data/deduped/report.html" in done["artifacts"]
    assert "Pipeline steps" in text
    listed = api(ui_server, "GET", "/tasks", params={"kind": "data_run"}).json()["data"]
    assert listed[0]["id"] == task["id"]
    report = api(ui_server, "GET", "/files", params={"path": "data/deduped/report.html"})
    assert report.status_code == 200 and report.headers["content-security-policy"] == "sandbox"


def test_bad_task_requests_are_refused(ui_server):
    cases = [
        ({"kind": "shell", "args": {}}, "unknown task kind 'shell'"),
        ({"kind": "arena", "args": {"config": "configs/x.yaml", "argv": ["--out", "/"]}}, "key 'argv': unknown key"),
        ({"kind": "eval", "args": {"run": "/etc"}}, "args.run: expected a path relative to the workspace"),
        ({"kind": "export", "args": {"run": "runs/none", "format": "merge"}}, "no such file in the workspace"),
    ]
    for body, expected in cases:
        answer = api(ui_server, "POST", "/tasks", json=body)
        assert answer.status_code == 400, body
        assert expected in answer.json()["error"]["message"]
    assert api(ui_server, "GET", "/tasks/task-nope").status_code == 404
    assert api(ui_server, "GET", "/tasks/..%2f..%2fetc/log").status_code == 404
    assert api(ui_server, "POST", "/tasks/task-nope/cancel").status_code == 404


def test_a_task_is_cancelled(ui_server):
    pipeline = "inputs: [{path: ../data/chat.jsonl}]\noutput: ../data/slow\n"
    api(ui_server, "POST", "/configs", json={"kind": "data_pipeline", "name": "slow", "yaml": pipeline})
    task = api(ui_server, "POST", "/tasks", json={"kind": "data_run", "args": {"pipeline": "configs/slow.yaml"}})
    cancelled = api(ui_server, "POST", f"/tasks/{task.json()['id']}/cancel")
    assert cancelled.status_code == 200
    assert until_done(ui_server, task.json()["id"])["status"] == "cancelled"


def test_export_lists_finished_runs_and_quant_choices(ui_server):
    run = ui_server.workspace / "runs" / "done"
    (run / "final").mkdir(parents=True, exist_ok=True)
    (run / "recipe.yaml").write_text("method: {name: lora}\n")
    (ui_server.workspace / "runs" / "unfinished").mkdir(exist_ok=True)
    answer = api(ui_server, "GET", "/export/runs").json()
    paths = [r["path"] for r in answer["data"]]
    assert "runs/done" in paths and "runs/unfinished" not in paths
    assert next(r for r in answer["data"] if r["path"] == "runs/done")["method"] == "lora"
    assert "q4_k_m" in answer["quants"]["gguf"] and answer["quants"]["onnx"] == ["fp32", "int8", "int4"]


def test_an_eval_task_scores_a_run_into_its_own_folder(ui_server, tiny_model_dir):
    from tests.ui.test_export_fixtures import train_tiny_lora

    run = train_tiny_lora(ui_server.workspace, tiny_model_dir, "to-eval")
    args = {"run": run, "file": "data/chat.jsonl", "limit": 2}
    task = api(ui_server, "POST", "/tasks", json={"kind": "eval", "args": args}).json()
    out = f"{run}/evals/{task['id']}"
    assert task["command"] == f"tunesmith eval {run} --out {out} --data data/chat.jsonl --limit 2"
    done = until_done(ui_server, task["id"])
    log = api(ui_server, "GET", f"/tasks/{task['id']}/log").json()["text"]
    assert done["status"] == "succeeded", log
    assert f"{out}/report.json" in done["artifacts"] and f"{out}/report.md" in done["artifacts"]
    assert "Evaluation" in log
