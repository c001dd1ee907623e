"""Flywheel recipes: the shipped example validates; bad ones stop with an InputError naming the key."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tunesmith.errors import InputError
from tunesmith.flywheel.config import WIN_RATE
from tunesmith.flywheel.plan import load_flywheel, plan_flywheel

ROOT = Path(__file__).resolve().parents[2]


def raw(**sections) -> dict:
    return {"store": "logs.db", "teacher_model": "teacher", **sections}


def test_the_shipped_example_validates_and_resolves(monkeypatch):
    monkeypatch.chdir(ROOT)
    plan = load_flywheel("examples/flywheel/flywheel.yaml", ["promote.min_score=0.8"])
    recipe = plan.recipe
    assert recipe.output.name.startswith("flywheel-") and plan.folder == Path("runs") / recipe.output.name
    assert [(s.name, s.config.method) for s in plan.steps] == [("dedup", "exact"), ("dedup", "near")]
    # the training recipe is the quickstart's, reading the curated export and writing into the flywheel folder
    assert plan.train.model == "smollm2-135m" and plan.train.method.r == 16 and plan.train.train.max_steps == 60
    assert plan.train.data.train == plan.folder / "curated.jsonl" and plan.train.run_dir == plan.folder / "run"
    assert (plan.where.model, plan.where.endpoint, plan.where.status) == ("teacher", "chat", "ok")
    assert abs(plan.where.since - (datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=30))) < timedelta(
        minutes=1
    )
    assert recipe.promote.min_score == 0.8 and recipe.decision_metric == "field_accuracy"


def test_defaults_curate_with_dedup_and_pii_and_decide_on_the_first_metric():
    plan = plan_flywheel(raw(), "fw.yaml")
    assert [(s.name, getattr(s.config, "method", None), getattr(s.config, "mode", None)) for s in plan.steps] == [
        ("dedup", "exact", None),
        ("dedup", "near", None),
        ("pii", None, "mask"),
    ]
    recipe = plan.recipe
    assert (recipe.holdout.share, recipe.compare.metrics, recipe.decision_metric) == (
        0.1,
        ["rouge_l", "exact_match"],
        "rouge_l",
    )
    assert (recipe.prices.teacher.input, recipe.prices.teacher.output) == (2.50, 10.00)
    assert (recipe.prices.student.input, recipe.prices.student.output) == (0.05, 0.20)
    assert plan.train.model == "smollm2-135m" and plan.train.method.name == "lora"
    judged = plan_flywheel(
        raw(compare={"judge": {"base_url": "http://j/v1", "model": "j"}}, promote={"metric": WIN_RATE})
    )
    assert judged.recipe.decision_metric == WIN_RATE


@pytest.mark.parametrize(
    ("recipe", "where", "message"),
    [
        (raw(holdot={"share": 0.2}), "fw.yaml: key 'holdot'", "unknown key; did you mean 'holdout'?"),
        (raw(promote={"min_scor": 0.5}), "fw.yaml: key 'promote.min_scor'", "did you mean 'min_score'?"),
        ({"teacher_model": "t"}, "fw.yaml: key 'store'", "required key is missing"),
        (raw(holdout={"share": 1.5}), "fw.yaml: key 'holdout.share'", "less than 1"),
        (raw(promote={"adapter_name": "../x"}), "fw.yaml: key 'promote.adapter_name'", "letters, digits"),
        (raw(compare={"metrics": ["acuracy"]}), "fw.yaml: key 'compare.metrics'", "unknown metric 'acuracy'"),
        (raw(promote={"metric": "bleu"}), "fw.yaml", "promote.metric 'bleu' is not a compared score"),
        (raw(filter={"model": "other"}), "fw.yaml", "filter.model 'other' differs from teacher_model 'teacher'"),
        (raw(filter={"feedback": "meh"}), "fw.yaml: key 'filter.feedback'", "'up', 'down'"),
        (raw(filter={"since": "yesterday"}), "fw.yaml: key 'filter.since' yesterday", "expected an ISO date"),
        (raw(curate=[{"dedupe": {}}]), "fw.yaml: curate[0]", "unknown op 'dedupe'; did you mean 'dedup'?"),
        (raw(curate=["pii", {"dedup": {"treshold": 0.7}}]), "fw.yaml: curate[1] (dedup): key 'treshold'", "did you"),
        (raw(curate=["split"]), "fw.yaml: curate[0]", "the flywheel holds out its own"),
        (raw(train={"method": {"name": "lora", "rr": 4}}), "fw.yaml: train: key 'method.rr'", "did you mean 'r'?"),
        (raw(train={"stage": "dpo"}), "fw.yaml: train: key 'stage'", "expected sft, got 'dpo'"),
        (raw(train="missing.yaml"), "missing.yaml", "recipe file not found"),
    ],
)
def test_bad_recipes_name_the_key(recipe, where, message):
    with pytest.raises(InputError) as caught:
        plan_flywheel(recipe, "fw.yaml")
    assert caught.value.where == where
    assert message in caught.value.message


def test_a_missing_store_stops_before_anything_is_written(tmp_path):
    from tunesmith.flywheel.run import run_flywheel

    plan = plan_flywheel(raw(store=str(tmp_path / "nope.db"), output={"dir": str(tmp_path), "name": "turn"}))
    with pytest.raises(InputError) as caught:
        run_flywheel(plan)
    assert caught.value.where == "flywheel: key 'store'" and "no request log at" in caught.value.message
    assert not (tmp_path / "turn").exists() and not (tmp_path / "nope.db").exists()


def test_a_file_with_a_list_is_refused(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text("- store: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a mapping with store"):
        load_flywheel(path)
