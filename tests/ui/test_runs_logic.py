"""The Runs page's library logic on hand-made reports: intervals only where per-example scores reproduce the
reported mean, predictions aligned by example when prompts repeat or a run lacks one, the recipe diff, scrubbing."""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.ui.runs.compare import flatten, recipe_diff, side_by_side
from tunesmith.ui.runs.index import find_run, find_runs, scrub
from tunesmith.ui.runs.report import model_report, read_report
from tunesmith.ui.workspace import Workspace


def rows(*pairs: tuple[str, str, str]) -> list[dict]:
    return [{"prompt": p, "reference": r, "prediction": y} for p, r, y in pairs]


def test_an_interval_only_where_the_examples_average_to_the_reported_score():
    found = rows(("a", "yes", "yes"), ("b", "no", "yes"), ("c", "no", "no"), ("d", "yes", "no"))
    metrics = {"val_loss": 1.5, "exact_match": 0.5, "bleu": 0.123}
    report = model_report("tuned", metrics, found, {"val_loss"})
    scores = {s.name: s for s in report.scores}
    assert scores["exact_match"].n == 4 and scores["exact_match"].low < 0.5 < scores["exact_match"].high
    assert scores["bleu"].low is None  # corpus BLEU is no mean of sentence scores: no interval claimed
    assert scores["val_loss"].low is None and scores["val_loss"].lower_is_better
    assert [p["score"] for p in report.predictions] == [1.0, 0.0, 1.0, 0.0] and report.score_name == "exact_match"


def test_a_report_that_disagrees_with_its_predictions_gets_no_interval():
    report = model_report("tuned", {"exact_match": 0.9}, rows(("a", "x", "x"), ("b", "y", "z")), set())
    assert report.scores[0].low is None and report.scores[0].value == 0.9


def test_predictions_align_by_prompt_and_occurrence():
    left = model_report("a", {"exact_match": 0.0}, rows(("q", "1", "a"), ("q", "2", "b"), ("r", "3", "c")), set())
    right = model_report("b", {"exact_match": 0.0}, rows(("q", "1", "a"), ("q", "2", "B "), ("s", "4", "d")), set())
    side = side_by_side([left, right], only_differ=False, offset=0, limit=10)
    assert [(r.prompt, r.reference) for r in side.data] == [("q", "1"), ("q", "2"), ("r", "3"), ("s", "4")]
    assert [r.differ for r in side.data] == [False, True, True, True]
    assert side.data[2].cells[1] is None and side.data[3].cells[0] is None
    assert side.differing == 3
    only = side_by_side([left, right], only_differ=True, offset=1, limit=1)
    assert [r.index for r in only.data] == [2] and only.total == 4


def test_recipe_diff_flattens_keys_and_counts_a_missing_key():
    a = {"train": {"learning_rate": 0.001, "seed": 1}, "method": {"name": "lora", "r": 4}, "data": {"tasks": []}}
    b = {"train": {"learning_rate": 0.01, "seed": 1}, "method": {"name": "ia3"}, "data": {"tasks": []}}
    assert flatten(a)["train.learning_rate"] == 0.001 and flatten(a)["data.tasks"] == []
    diff = {row.key: (row.values, row.missing) for row in recipe_diff([a, b])}
    assert diff == {
        "train.learning_rate": ([0.001, 0.01], [False, False]),
        "method.name": (["lora", "ia3"], [False, False]),
        "method.r": ([4, None], [False, True]),
    }


def test_scrub_leaves_no_absolute_path(tmp_path):
    space = Workspace.open(tmp_path / "ws")
    text = f"model: /home/someone/models/tiny\ntrain: {space.root}/data/chat.jsonl\nnote: 1/2 and km/h"
    assert scrub(text, space) == "model: …/tiny\ntrain: data/chat.jsonl\nnote: 1/2 and km/h"
    assert scrub({f"{space.root}/data/x.jsonl": ["/srv/a/b"]}, space) == {"data/x.jsonl": ["…/b"]}


def test_only_run_folders_in_runs_and_job_folders_are_runs(tmp_path):
    space = Workspace.open(tmp_path / "ws")
    (space.area("runs") / "a").mkdir()
    (space.area("runs") / "a" / "recipe.yaml").write_text("model: m\n")
    (space.area("runs") / "arena-report").mkdir()  # an arena's folder: no recipe.yaml
    job_run = space.area("jobs") / "ftjob-1" / "run"
    job_run.mkdir(parents=True)
    (job_run / "recipe.yaml").write_text("model: m\n")
    (space.area("data") / "recipe.yaml").write_text("model: m\n")
    (space.area("runs") / "link").symlink_to(tmp_path)  # a link out of the workspace is no run
    assert [(r.id, r.job_id) for r in find_runs(space)] == [("runs/a", None), ("jobs/ftjob-1/run", "ftjob-1")]
    assert find_run(space, "runs/./a/").id == "runs/a"


def test_a_report_that_does_not_parse_is_none(tmp_path):
    for broken in ("{not json", '{"models": []}', '{"models": ["x"]}', "[1]"):
        (tmp_path / "report.json").write_text(broken)
        assert read_report(tmp_path) is None, broken
    (tmp_path / "report.json").write_text(json.dumps({"models": [{"label": "x", "metrics": {"val_loss": 1.0}}]}))
    assert read_report(Path(tmp_path)).run.predictions == []
