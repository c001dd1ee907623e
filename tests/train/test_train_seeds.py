"""`tunesmith train --seeds N` trains one run per seed, keeps finished ones, and summarises mean ± spread."""

from __future__ import annotations

import json
import statistics
import sys

import pytest

from tunesmith.cli.main import main
from tunesmith.config import dump_recipe, load_run_recipe
from tunesmith.eval.seeds import SUMMARY, SUMMARY_MD
from tunesmith.runs import RunDir


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    captured = capsys.readouterr()
    return exc.value.code or 0, " ".join((captured.out + captured.err).split())


@pytest.fixture
def recipe_file(make_recipe, tmp_path):
    recipe = make_recipe(train={"max_steps": 2, "eval_steps": 2, "seed": 7})
    path = tmp_path / "tiny.yaml"
    path.write_text(dump_recipe(recipe))
    return path, recipe


def test_two_seeds_train_two_runs_keep_them_on_rerun_and_summarise_them(recipe_file, monkeypatch, capsys):
    path, recipe = recipe_file
    code, out = run_cli(monkeypatch, capsys, "train", str(path), "--seeds", "2", "--no-eval")
    assert code == 0, out
    folder = recipe.output.dir / "tiny-seeds"
    runs = [RunDir(folder / "seed-7"), RunDir(folder / "seed-8")]
    assert [load_run_recipe(r.recipe).train.seed for r in runs] == [7, 8]
    assert all(r.summary.is_file() for r in runs)
    assert "trained 2, kept 0" in out
    stamps = [r.summary.stat().st_mtime_ns for r in runs]

    code, out = run_cli(monkeypatch, capsys, "train", str(path), "--seeds", "2", "--no-eval")
    assert code == 0 and "trained 0, kept 2" in out
    assert [r.summary.stat().st_mtime_ns for r in runs] == stamps  # nothing trained again

    summary = json.loads((folder / SUMMARY).read_text())
    losses = [json.loads(r.summary.read_text())["train_loss"] for r in runs]
    assert summary["seeds"] == [7, 8]
    assert losses[0] != losses[1]  # different seeds, different runs
    found = summary["metrics"]["train_loss"]
    assert found["mean"] == pytest.approx(statistics.mean(losses))
    assert found["std"] == pytest.approx(statistics.stdev(losses))
    assert (found["min"], found["max"]) == (min(losses), max(losses))
    assert "mean ± std" in (folder / SUMMARY_MD).read_text()


def test_zero_seeds_is_refused(recipe_file, monkeypatch, capsys):
    path, recipe = recipe_file
    code, out = run_cli(monkeypatch, capsys, "train", str(path), "--seeds", "0")
    assert code == 2 and "--seeds" in out
    assert not (recipe.output.dir / "tiny-seeds").exists()


@pytest.mark.slow
def test_seeds_are_evaluated_and_eval_seeds_scores_the_same_runs(recipe_file, monkeypatch, capsys):
    path, recipe = recipe_file
    code, out = run_cli(monkeypatch, capsys, "train", str(path), "--seeds", "2")
    assert code == 0, out
    folder = recipe.output.dir / "tiny-seeds"
    reports = [json.loads((folder / f"seed-{s}" / "eval" / "report.json").read_text()) for s in (7, 8)]
    assert len(reports[0]["models"]) == 2 and "paired" in reports[0]  # the base beside the first seed only
    assert len(reports[1]["models"]) == 1
    tuned = [r["models"][-1]["metrics"]["val_loss"] for r in reports]
    summary = json.loads((folder / SUMMARY).read_text())
    assert summary["metrics"]["val_loss"]["mean"] == pytest.approx(statistics.mean(tuned))

    code, out = run_cli(monkeypatch, capsys, "eval", str(folder), "--seeds", "2")
    assert code == 0, out
    evaluated = json.loads((folder / "eval" / SUMMARY).read_text())
    assert evaluated["seeds"] == [7, 8]
    assert [e["metrics"]["val_loss"] for e in evaluated["runs"]] == tuned  # greedy: the same numbers again
    assert evaluated["metrics"]["val_loss"]["std"] == pytest.approx(statistics.stdev(tuned))
    assert (folder / "eval" / "seed-8" / "report.md").is_file()
    code, out = run_cli(monkeypatch, capsys, "eval", str(folder), "--seeds", "2")
    assert code == 2 and "already holds a seeds summary" in out
