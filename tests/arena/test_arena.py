"""`tunesmith arena` end to end on a tiny random model and scripted endpoints: every arm answers the same
questions, answers are cached per arm, a failing endpoint or judge marks only its own arm, bad input exits 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import write_jsonl
from tests.data.fake_openai import FakeOpenAI, completion
from tunesmith.arena.config import load_arena
from tunesmith.arena.run import run_arena
from tunesmith.cli.main import main

QA = [(f"What is {a} plus {b}?", str(a + b)) for a in range(2, 8) for b in range(3, 6)]


def chat(rows):
    return [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in rows]


@pytest.fixture
def task(tmp_path):
    write_jsonl(tmp_path / "eval.jsonl", chat(QA[:6]))
    write_jsonl(tmp_path / "train.jsonl", chat(QA[6:]))
    return tmp_path


def arena_file(folder: Path, arms: list[dict], **extra) -> Path:
    raw = {
        "task": {"eval": "eval.jsonl", "train": "train.jsonl", "metrics": ["exact_match"], "max_new_tokens": 4,
                 "latency_requests": 2},
        "arms": arms, "cost": {"price_per_hour": 1.0}, "output": "out", **extra,
    }  # fmt: skip
    path = folder / "arena.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def oracle(body: dict) -> tuple[int, dict]:
    """A teacher that knows every sum, with usage counted in words."""
    question = body["messages"][-1]["content"]
    answer = dict(QA)[question]
    reply = completion(answer, body.get("model", ""))
    reply["usage"] = {"prompt_tokens": len(question.split()), "completion_tokens": 1, "total_tokens": 1}
    return 200, reply


def test_every_arm_answers_and_the_cache_spares_old_arms(task, tiny_model_dir):
    with FakeOpenAI(oracle) as server:
        teacher = {"name": "teacher", "kind": "teacher", "model": "oracle", "base_url": server.base_url,
                   "api_key_env": None, "price": {"input": 1.0, "output": 2.0}}  # fmt: skip
        arms = [
            {"name": "zero", "kind": "prompt", "model": str(tiny_model_dir)},
            {"name": "shots", "kind": "few_shot", "model": str(tiny_model_dir), "k": 2},
            teacher,
        ]
        path = arena_file(task, arms)
        report = run_arena(load_arena(path), task / "out")
        sent = len(server.requests)
        by_name = {a["name"]: a for a in report["arms"]}
        assert sent == 6  # one request per question
        assert by_name["teacher"]["primary"]["mean"] == 1.0
        assert by_name["teacher"]["tokens"] == {"prompt": 5.0, "completion": 1.0}  # "What is 2 plus 3?"
        # 5 in + 1 out tokens per request at 1 and 2 per million, times 1,000 requests
        assert by_name["teacher"]["cost"]["per_1k"]["value"] == pytest.approx((5 * 1.0 + 1 * 2.0) / 1000)
        assert by_name["zero"]["cost"]["per_1k"]["value"] > 0 and by_name["zero"]["latency"]["n"] == 2
        assert report["recommendation"]["best"] == "teacher"
        demos = json.loads((task / "out" / "arms" / "shots.json").read_text())["details"]["demonstrations"]
        assert all(len(rows) == 2 for rows in demos)  # demonstrations came from train.jsonl, never eval.jsonl

        arena_file(task, [*arms, {"name": "zero-again", "kind": "prompt", "model": str(tiny_model_dir)}])
        again = run_arena(load_arena(path), task / "out")
        assert len(server.requests) == sent  # the teacher's answers were reused, not asked again
        assert [a["name"] for a in again["arms"]] == ["zero", "shots", "teacher", "zero-again"]
        replies = {a["name"]: a.get("replies") for a in again["arms"]}
        assert replies["zero-again"] == replies["zero"]  # greedy: the same model answers the same way
    saved = json.loads((task / "out" / "report.json").read_text())
    assert "scores" not in saved["arms"][0] and (task / "out" / "report.html").read_text().count("<img") == 2


def test_an_endpoint_that_is_down_fails_its_arm_only(task, tiny_model_dir):
    arms = [
        {"name": "zero", "kind": "prompt", "model": str(tiny_model_dir)},
        {"name": "down", "kind": "teacher", "model": "m", "base_url": "http://127.0.0.1:9/v1", "api_key_env": None},
    ]
    report = run_arena(load_arena(arena_file(task, arms)), task / "out")
    down = report["arms"][1]
    assert down["status"] == "failed" and "reachable endpoint" in down["error"]
    assert report["arms"][0]["status"] == "ok" and report["recommendation"]["pick"] == "zero"
    assert not (task / "out" / "arms" / "down.json").exists()  # a failure is not cached: the next run retries


def prefers_first(body: dict) -> str:
    return "A"


def test_a_judge_with_position_bias_turns_into_ties_and_a_dead_judge_fails_alone(task, tiny_model_dir):
    arms = [
        {"name": "zero", "kind": "prompt", "model": str(tiny_model_dir)},
        {"name": "shots", "kind": "few_shot", "model": str(tiny_model_dir), "k": 1},
    ]
    with FakeOpenAI(prefers_first) as judge:
        spec = {"base_url": judge.base_url, "model": "judge", "api_key_env": None, "reference": "zero"}
        report = run_arena(load_arena(arena_file(task, arms, judge=spec)), task / "out")
        asked = len(judge.requests)
        again = run_arena(load_arena(arena_file(task, arms, judge=spec)), task / "out")
        assert len(judge.requests) == asked == 12  # the same answers, the same judge: its verdicts are reused
    verdict = report["arms"][1]["judge"]
    assert verdict["status"] == "ok" and verdict["ties"] == 6 and verdict["win_rate"] == 0.5
    assert verdict["first_position_rate"] == 1.0 and verdict["consistency"] == 0.0
    assert (task / "out" / "judge" / "shots" / "judge.jsonl").is_file()
    assert again["arms"][1]["judge"] == verdict
    spec["base_url"] = "http://127.0.0.1:9/v1"
    report = run_arena(load_arena(arena_file(task, arms, judge=spec)), task / "out")
    assert report["arms"][1]["judge"]["status"] == "failed"
    assert report["arms"][1]["status"] == "ok"  # the arm's answers stand; only its judgement failed


def test_a_fine_tuned_arm_trains_its_recipe_once_and_prices_the_training(task, tiny_model_dir, chat_file):
    recipe = {
        "model": str(tiny_model_dir), "data": {"train": str(chat_file), "validation_split": 0.0},
        "method": {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
        "train": {"max_steps": 2, "batch_size": 4, "logging_steps": 1},
        "output": {"dir": str(task / "runs"), "name": "tiny"},
    }  # fmt: skip
    (task / "recipe.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
    path = arena_file(task, [{"name": "tuned", "kind": "fine_tuned", "recipe": "recipe.yaml"}])
    report = run_arena(load_arena(path), task / "out")
    tuned = report["arms"][0]
    assert tuned["status"] == "ok" and (task / "runs" / "tiny" / "summary.json").is_file()
    seconds = json.loads((task / "runs" / "tiny" / "summary.json").read_text())["train_seconds"]
    assert tuned["cost"]["one_off"]["value"] == pytest.approx(seconds / 3600)  # at 1.0 per hour
    stamp = (task / "out" / "arms" / "tuned.json").stat().st_mtime_ns
    run_arena(load_arena(path), task / "out")  # complete run: not trained again, answers reused
    assert (task / "out" / "arms" / "tuned.json").stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"arms": [{"name": "a", "kind": "prompt", "model": "/no/such/model"}]}, "arms.a.model"),
        ({"task": {"eval": "missing.jsonl"}}, "eval file"),
        ({"task": {"metrics": ["json"]}}, "task.eval"),
        ({"arms": [{"name": "a", "kind": "promt"}]}, "prompt"),
        ({"arms": [{"name": "a", "kind": "rag"}]}, "task.knowledge"),
        ({"arms": [{"name": "a", "kind": "fine_tuned", "run": "nowhere"}]}, "arms.a.run"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(task, change, expected, monkeypatch, capsys):
    raw = {"task": {"eval": "eval.jsonl"}, "arms": [{"name": "a", "kind": "prompt"}], "output": "out"}
    raw.update(change)
    (task / "bad.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["tunesmith", "arena", str(task / "bad.yaml")])
    with pytest.raises(SystemExit) as exc:
        main()
    err = " ".join(capsys.readouterr().err.split())
    assert exc.value.code == 2 and expected in err and "Traceback" not in err
    assert not (task / "out").exists()


def test_a_bare_adapter_folder_is_an_arm_too(task, make_recipe):
    from tunesmith.train.run import train

    result = train(make_recipe(train={"max_steps": 1}))
    adapter = Path(result.run_dir) / "final"
    assert (adapter / "adapter_config.json").is_file()
    path = arena_file(task, [{"name": "adapter", "kind": "fine_tuned", "run": str(adapter)}])
    report = run_arena(load_arena(path), task / "out")
    assert report["arms"][0]["status"] == "ok"
    assert report["arms"][0]["cost"]["one_off"]["value"] is None  # no summary.json beside it: training time unknown


def test_a_rag_arm_answers_again_only_when_the_documents_change(task, tiny_model_dir):
    docs = task / "docs"
    docs.mkdir()
    (docs / "kettle.md").write_text("The Quorvia Kettle has a warranty of 27 months.\n", encoding="utf-8")
    (docs / "lamp.md").write_text("The Lumo Lamp draws 9 watts at full brightness.\n", encoding="utf-8")
    settings = {"sources": ["docs"], "index": "index", "chunking": {"max_tokens": 32, "overlap": 4}}
    (task / "manuals.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    arms = [{"name": "rag", "kind": "rag", "model": str(tiny_model_dir), "k": 1}]
    path = arena_file(task, arms)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["task"]["knowledge"] = "manuals.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cache = task / "out" / "arms" / "rag.json"

    run_arena(load_arena(path), task / "out")
    first = json.loads(cache.read_text())
    assert len(first["details"]["retrieved"]) == 6 and cache.stat().st_mtime_ns
    stamp = cache.stat().st_mtime_ns
    run_arena(load_arena(path), task / "out")  # the index is updated, but nothing in it changed
    assert cache.stat().st_mtime_ns == stamp
    (docs / "kettle.md").write_text("The Quorvia Kettle has a warranty of 33 months.\n", encoding="utf-8")
    run_arena(load_arena(path), task / "out")
    assert json.loads(cache.read_text())["fingerprint"] != first["fingerprint"]


def test_an_optimized_prompt_arm_answers_with_the_instructions_it_kept(task, tiny_model_dir):
    with FakeOpenAI(lambda body: "Reply with the sum only.") as writer:
        arm = {"name": "opt", "kind": "optimized_prompt", "model": str(tiny_model_dir), "rounds": 1,
               "teacher": {"model": "w", "base_url": writer.base_url, "api_key_env": None}}  # fmt: skip
        report = run_arena(load_arena(arena_file(task, [arm])), task / "out")
        asked = [r.prompt for r in writer.requests]
    details = report["arms"][0]["details"]
    assert report["arms"][0]["status"] == "ok" and len(asked) == 1
    shown = [q for q, _ in QA[:6] if any(q in a for a in asked)]
    assert shown == [] and "What is" in asked[0]  # dev failures from train.jsonl are shown; test questions never
    kept = [r for r in details["rounds"] if r["kept"]]
    assert details["instructions"] == kept[-1]["instructions"]
