"""`/ui/api/runs`: the list with filters, one run's detail, and the comparison of 2–4 runs, over real runs of the
tiny model (two learning rates, two methods, each evaluated against its base) and a job runner's run."""

from __future__ import annotations

import httpx
import pytest

from tests.ui.conftest import ADMIN_KEY
from tests.ui.test_runs_fixtures import CHANGED, JOB_ID, RUNS, copy_runs, trained_runs  # noqa: F401 - a fixture

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
JOB_RUN = f"jobs/{JOB_ID}/run"


@pytest.fixture(scope="module")
def runs_server(ui_server, trained_runs):  # noqa: F811 - the fixture imported above
    copy_runs(trained_runs, ui_server.workspace)
    return ui_server


def get(server, path: str, **params) -> httpx.Response:
    return httpx.get(f"{server.root}/ui/api/runs{path}", params=params, headers=AUTH, timeout=60)


def no_server_paths(text: str, server) -> None:
    assert str(server.workspace) not in text
    assert "/tmp/" not in text and "pytest-of" not in text


def test_the_list_holds_every_run_with_its_status_and_scores(runs_server):
    answer = get(runs_server, "")
    assert answer.status_code == 200
    rows = {r["id"]: r for r in answer.json()["data"]}
    assert set(rows) == {*(f"runs/{n}" for n in RUNS), "runs/stopped", JOB_RUN}
    lora = rows["runs/lora-lr1e-3"]
    assert (lora["name"], lora["method"], lora["stage"], lora["status"], lora["steps"]) == (
        "lora-lr1e-3",
        "lora",
        "sft",
        "finished",
        3,
    )
    assert lora["train_seconds"] > 0 and lora["created"] <= lora["modified"]
    scores = {m["name"]: m for m in lora["metrics"]}
    assert set(scores) == {"val_loss", "exact_match", "rouge_l"}
    assert scores["exact_match"]["n"] == 6 and scores["exact_match"]["low"] == scores["exact_match"]["high"] == 0.0
    assert scores["val_loss"]["low"] is None and scores["val_loss"]["lower_is_better"] is True
    assert rows[JOB_RUN]["job_id"] == JOB_ID and rows[JOB_RUN]["name"] == JOB_ID
    assert rows["runs/stopped"]["status"] == "incomplete" and rows["runs/stopped"]["metrics"] == []
    assert answer.json()["methods"] == ["ia3", "lora"]
    no_server_paths(answer.text, runs_server)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"method": "ia3"}, {"runs/ia3-lr1e-2", JOB_RUN}),
        ({"q": "LR5E"}, {"runs/lora-lr5e-2"}),
        ({"status": "incomplete"}, {"runs/stopped"}),
        ({"method": "lora", "status": "finished"}, {"runs/lora-lr1e-3", "runs/lora-lr5e-2"}),
        ({"stage": "dpo"}, set()),
    ],
)
def test_filters_narrow_the_list_on_the_server(runs_server, query, expected):
    answer = get(runs_server, "", **query).json()
    assert {r["id"] for r in answer["data"]} == expected
    assert answer["methods"] == ["ia3", "lora"]  # the choices stay all of them


def test_detail_has_recipe_curves_report_with_intervals_and_paged_predictions(runs_server):
    answer = get(runs_server, "/detail", id="runs/lora-lr5e-2/", limit=2, offset=2)
    assert answer.status_code == 200
    detail = answer.json()
    assert detail["run"]["id"] == "runs/lora-lr5e-2"
    assert "learning_rate: 0.05" in detail["recipe_yaml"]
    assert detail["recipe"]["train"]["learning_rate"] == 0.05 and detail["recipe"]["model"].startswith("…/")
    assert detail["summary"]["steps"] == 3
    curves = detail["curves"]
    assert [p[0] for p in curves["train_loss"]] == [1, 2, 3]
    assert [p[0] for p in curves["eval_loss"]] == [1, 2, 3] and len(curves["learning_rate"]) == 3
    report = detail["report"]
    assert report["folder"] == "runs/lora-lr5e-2/eval" and detail["reports"] == ["runs/lora-lr5e-2/eval"]
    assert report["compared_with_base"] is True and report["score_name"] == "exact_match"
    assert [m["label"] for m in report["models"]][1] == "tuned (lora-lr5e-2)"
    tuned = {m["name"]: m for m in report["models"][1]["metrics"]}
    assert tuned["rouge_l"]["n"] == 6 and tuned["rouge_l"]["low"] is not None
    assert tuned["val_perplexity"]["lower_is_better"] is True
    page = detail["predictions"]
    assert (page["total"], page["offset"], page["limit"]) == (6, 2, 2)
    assert [p["index"] for p in page["data"]] == [2, 3]
    first = page["data"][0]
    assert (first["prompt"], first["reference"], first["prediction"]) == ("Capital of France?", "Paris.", CHANGED[2])
    assert first["score"] == 0.0 and first["baseline_prediction"] == ""
    no_server_paths(answer.text, runs_server)


def test_compare_gives_metrics_curves_the_recipe_diff_and_aligned_predictions(runs_server):
    answer = get(runs_server, "/compare", ids="runs/lora-lr1e-3,runs/lora-lr5e-2")
    assert answer.status_code == 200
    found = answer.json()
    assert [r["id"] for r in found["runs"]] == ["runs/lora-lr1e-3", "runs/lora-lr5e-2"]
    diff = {row["key"]: row["values"] for row in found["recipe_diff"]}
    assert diff == {"train.learning_rate": [0.001, 0.05], "output.name": ["lora-lr1e-3", "lora-lr5e-2"]}
    metrics = {m["name"]: m for m in found["metrics"]}
    assert metrics["val_loss"]["best"] == 1  # the higher learning rate went lower in 3 steps
    assert all(v["n"] == 6 for v in metrics["exact_match"]["values"])
    assert [len(c["curves"]["train_loss"]) for c in found["curves"]] == [3, 3]
    side = found["predictions"]
    assert (side["total"], side["score_name"]) == (6, "exact_match")
    prompts = [row["prompt"] for row in side["data"]]
    assert prompts[:3] == ["What color is the sky?", "What is 2 + 3?", "Capital of France?"]
    own = [
        get(runs_server, "/detail", id=i).json()["predictions"]["data"]
        for i in ("runs/lora-lr1e-3", "runs/lora-lr5e-2")
    ]
    for row in side["data"]:
        left, right = row["cells"]
        assert (left["prediction"], right["prediction"]) == tuple(o[row["index"]]["prediction"] for o in own)
        assert row["differ"] == (left["prediction"].strip() != right["prediction"].strip())
    assert [side["data"][i]["cells"][1]["prediction"] for i in CHANGED] == list(CHANGED.values())
    differing = [row["index"] for row in side["data"] if row["differ"]]
    assert side["differing"] == len(differing) and set(CHANGED) <= set(differing)
    only = get(runs_server, "/compare", ids="runs/lora-lr1e-3,runs/lora-lr5e-2", differ="true").json()
    assert [row["index"] for row in only["predictions"]["data"]] == differing


def test_compare_across_methods_and_the_job_runner(runs_server):
    found = get(runs_server, "/compare", ids=f"runs/lora-lr1e-3,runs/lora-lr5e-2,{JOB_RUN}").json()
    rows = {row["key"]: row for row in found["recipe_diff"]}
    assert rows["method.name"]["values"] == ["lora", "lora", "ia3"]
    assert rows["method.r"]["missing"] == [False, False, True] and rows["method.r"]["values"][2] is None
    assert rows["train.learning_rate"]["values"] == [0.001, 0.05, 0.01]
    assert all(len(row["cells"]) == 3 for row in found["predictions"]["data"])


@pytest.mark.parametrize(
    "ids, status, words",
    [
        ("runs/lora-lr1e-3", 400, "compare needs 2 to 4 runs (comma-separated ids); got 1"),
        (",".join(["runs/lora-lr1e-3", "runs/lora-lr5e-2", "runs/ia3-lr1e-2", "runs/stopped", JOB_RUN]), 400, "got 5"),
        ("runs/lora-lr1e-3,runs/lora-lr1e-3/", 400, "named twice"),
        ("runs/lora-lr1e-3,../outside", 404, "No run in the workspace at '../outside'."),
        ("runs/lora-lr1e-3,data", 404, "No run in the workspace at 'data'."),
    ],
)
def test_bad_compare_ids_are_refused_clearly(runs_server, ids, status, words):
    answer = get(runs_server, "/compare", ids=ids)
    assert answer.status_code == status
    assert words in answer.json()["error"]["message"] and answer.json()["error"]["param"] == "ids"


@pytest.mark.parametrize("given", ["../", "../../etc", "/etc", "data", "data/chat.jsonl", "runs", "runs/missing"])
def test_a_path_that_is_no_run_is_the_same_404(runs_server, given):
    answer = get(runs_server, "/detail", id=given)
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "run_not_found" and error["param"] == "id"
    assert error["message"].startswith("No run in the workspace at ")
    no_server_paths(answer.text, runs_server)


def test_another_report_folder_must_hold_a_report(runs_server):
    ok = get(runs_server, "/detail", id="runs/lora-lr1e-3", report="runs/lora-lr5e-2/eval").json()
    assert ok["report"]["folder"] == "runs/lora-lr5e-2/eval"
    for given in ("data", "../elsewhere"):
        answer = get(runs_server, "/detail", id="runs/lora-lr1e-3", report=given)
        assert answer.status_code == 404 and answer.json()["error"]["param"] == "report"


def test_the_routes_are_in_the_openapi_schema(runs_server):
    paths = httpx.get(f"{runs_server.root}/openapi.json", headers=AUTH, timeout=30).json()["paths"]
    for path in ("/ui/api/runs", "/ui/api/runs/detail", "/ui/api/runs/compare"):
        assert "200" in paths[path]["get"]["responses"], path
