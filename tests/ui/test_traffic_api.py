"""The Traffic page's API over a store filled by real chat requests: `tunesmith logs`' filters, a text search and
paging, the admin's review of another key's request (seen by `tunesmith logs export`), export to a dataset with
corrections applied, and the flywheel starter."""

from __future__ import annotations

import json

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from tests.ui.conftest import ADMIN_KEY, INFERENCE_KEY

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
ASKER = {"Authorization": f"Bearer {INFERENCE_KEY}"}
PROMPTS = ["What color is the sky?", "Capital of France?", "中国的首都是哪里？", "Opposite of hot?"]


@pytest.fixture(scope="module")
def asked(ui_server) -> dict[str, str]:
    """Prompt → response id of one chat completion each, sent with the inference key."""
    ids = {}
    for prompt in PROMPTS:
        body = {"model": ui_server.base_name, "messages": [{"role": "user", "content": prompt}], "max_tokens": 8}
        reply = httpx.post(f"{ui_server.root}/v1/chat/completions", json=body, headers=ASKER, timeout=120)
        assert reply.status_code == 200, reply.text
        ids[prompt] = reply.json()["id"]
    return ids


def traffic(ui_server, **query) -> dict:
    answer = httpx.get(f"{ui_server.root}/ui/api/traffic", params=query, headers=ADMIN, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_lists_the_logged_requests_newest_first_with_filters_and_paging(ui_server, asked):
    listed = traffic(ui_server)
    assert listed["total"] == len(PROMPTS)
    assert [row["id"] for row in listed["data"]] == list(reversed(asked.values()))
    row = listed["data"][-1]
    assert row["prompt"] == PROMPTS[0] and row["model"] == ui_server.base_name and row["status"] == "ok"
    assert row["key_id"] and row["completion_tokens"] >= 1 and row["latency_ms"] > 0
    assert row["feedback"] == {"rating": None, "correction": None, "count": 0}

    assert [r["id"] for r in traffic(ui_server, q="FRANCE")["data"]] == [asked["Capital of France?"]]
    assert [r["id"] for r in traffic(ui_server, q="首都")["data"]] == [asked["中国的首都是哪里？"]]
    assert traffic(ui_server, model="no-such-model")["total"] == 0
    assert traffic(ui_server, since="1h")["total"] == len(PROMPTS)
    assert traffic(ui_server, until="2000-01-01")["total"] == 0
    page = traffic(ui_server, limit=3, offset=3)
    assert page["total"] == len(PROMPTS) and [r["id"] for r in page["data"]] == [asked[PROMPTS[0]]]


def test_a_bad_filter_gets_the_cli_message(ui_server, asked):
    answer = httpx.get(f"{ui_server.root}/ui/api/traffic", params={"since": "yesterday"}, headers=ADMIN)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("--since yesterday: expected an ISO date or time")
    answer = httpx.get(f"{ui_server.root}/ui/api/traffic", params={"feedback": "meh"}, headers=ADMIN)
    assert answer.json()["error"]["message"] == "--feedback meh: expected one of up, down, corrected, any, none"


def test_an_inference_key_may_not_read_the_traffic(ui_server, asked):
    answer = httpx.get(f"{ui_server.root}/ui/api/traffic", headers=ASKER)
    assert answer.status_code == 403
    one = httpx.get(f"{ui_server.root}/ui/api/traffic/{asked[PROMPTS[0]]}", headers=ASKER)
    assert one.status_code == 403
    review = httpx.post(f"{ui_server.root}/ui/api/traffic/{asked[PROMPTS[0]]}/feedback", json={"rating": "up"},
                        headers=ASKER)  # fmt: skip
    assert review.status_code == 403


def test_the_admin_reviews_another_keys_request_and_logs_export_sees_it(ui_server, asked, tmp_path):
    from tunesmith.cli.main import app

    target = asked["Capital of France?"]
    url = f"{ui_server.root}/ui/api/traffic/{target}/feedback"
    saved = httpx.post(url, json={"rating": "down", "correction": "Paris."}, headers=ADMIN)
    assert saved.status_code == 200, saved.text
    whole = saved.json()
    assert whole["summary"] == {"rating": "down", "correction": "Paris.", "count": 1}
    item = whole["feedback"][0]
    assert item["reviewer"] is True and item["key_id"] != whole["key_id"]  # the admin's key id, not the asker's
    # /v1/feedback keeps its rule: the admin key did not make this request, so it may not rate it there
    other = httpx.post(f"{ui_server.root}/v1/feedback", json={"request_id": target, "rating": "up"}, headers=ADMIN)
    assert other.status_code == 404
    assert httpx.post(url, json={}, headers=ADMIN).status_code == 400
    assert httpx.post(url, json={"rating": "meh"}, headers=ADMIN).status_code == 400
    missing = httpx.post(f"{ui_server.root}/ui/api/traffic/chatcmpl-nope/feedback", json={"rating": "up"},
                         headers=ADMIN)  # fmt: skip
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "request_not_found"

    assert [r["id"] for r in traffic(ui_server, feedback="corrected")["data"]] == [target]
    assert [r["id"] for r in traffic(ui_server, has_correction="true")["data"]] == [target]
    assert traffic(ui_server, has_correction="false")["total"] == len(PROMPTS) - 1
    shown = traffic(ui_server, q="France")["data"][0]["feedback"]
    assert shown == {"rating": "down", "correction": "Paris.", "count": 1}

    out = tmp_path / "cli.jsonl"
    store = str(ui_server.workspace / "traffic.db")
    args = ["logs", "export", "--store", store, "--format", "sft", "--feedback", "corrected", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["messages"][-1]["content"] for r in rows] == ["Paris."]
    assert rows[0]["meta"]["request_id"] == target and rows[0]["meta"]["source"] == "corrected"


def test_one_request_in_full(ui_server, asked):
    target = asked[PROMPTS[0]]
    whole = httpx.get(f"{ui_server.root}/ui/api/traffic/{target}", headers=ADMIN).json()
    assert whole["messages"] == [{"role": "user", "content": PROMPTS[0]}]
    assert whole["output"] and whole["endpoint"] == "chat" and whole["params"]["max_tokens"] == 8
    missing = httpx.get(f"{ui_server.root}/ui/api/traffic/chatcmpl-nope", headers=ADMIN)
    assert missing.status_code == 404


def export(ui_server, **body) -> httpx.Response:
    return httpx.post(f"{ui_server.root}/ui/api/traffic/export", json=body, headers=ADMIN, timeout=60)


def test_export_writes_a_dataset_with_corrections_applied(ui_server, asked):
    httpx.post(f"{ui_server.root}/ui/api/traffic/{asked['Opposite of hot?']}/feedback", json={"rating": "up"},
               headers=ADMIN).raise_for_status()  # fmt: skip
    corrected = export(ui_server, name="reviewed", only="corrected")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {"path": "data/reviewed.jsonl", "records": 1, "format": "sft"}
    rows = [json.loads(x) for x in (ui_server.workspace / "data/reviewed.jsonl").read_text("utf-8").splitlines()]
    assert rows[0]["messages"] == [
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
    ]

    again = export(ui_server, name="reviewed", only="all")
    assert again.status_code == 400
    assert again.json()["error"]["message"] == (
        "name reviewed: data/reviewed.jsonl already exists; pick another name or set overwrite"
    )
    everything = export(ui_server, name="reviewed.jsonl", only="all", overwrite=True)
    assert everything.json()["records"] == len(PROMPTS)  # the one rated down was corrected, so it stays
    up = export(ui_server, name="liked", only="thumbs_up", model=ui_server.base_name)
    assert up.json()["records"] == 1
    conflict = export(ui_server, name="x", only="thumbs_up", feedback="down")
    assert conflict.status_code == 400 and "conflicts with feedback down" in conflict.json()["error"]["message"]
    empty = export(ui_server, name="none", until="2000-01-01")
    assert empty.status_code == 400
    assert empty.json()["error"]["message"].startswith("data/none.jsonl: no logged requests give sft rows")
    assert not (ui_server.workspace / "data/none.jsonl").exists()


@pytest.mark.parametrize("name", ["../evil", "../../etc/passwd", "sub/dir", "/abs", "..", ""])
def test_export_refuses_names_outside_data(ui_server, asked, name):
    answer = export(ui_server, name=name)
    assert answer.status_code == 400
    assert "expected a file name of letters, digits" in answer.json()["error"]["message"]
    assert not (ui_server.workspace / "evil.jsonl").exists()


def test_the_flywheel_starter_is_a_valid_recipe_for_this_workspace(ui_server):
    from tunesmith.flywheel.config import FlywheelRecipe
    from tunesmith.schema import validate

    info = httpx.get(f"{ui_server.root}/ui/api/traffic/flywheel", headers=ADMIN).json()
    assert info["key_env"] == "TUNESMITH_FLYWHEEL_KEY" and info["keys_required"] is True
    raw = yaml.safe_load(info["starter"])
    recipe = validate(FlywheelRecipe, raw, "starter")
    assert recipe.store == "traffic.db" and recipe.teacher_model == ui_server.base_name
    assert recipe.promote.server == ui_server.root and recipe.promote.api_key_env == "TUNESMITH_FLYWHEEL_KEY"
    assert str(recipe.output.dir) == "runs" and raw["train"]["model"]
    assert info["turns"] == []
