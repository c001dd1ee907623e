"""Before/after evaluation of a run writes one report with both models and their deltas."""

import json

from tunesmith.eval.compare import compare
from tunesmith.eval.report import comparison_rows
from tunesmith.runs import RunDir
from tunesmith.train.run import train


def test_compare_reports_base_and_tuned_side_by_side(make_recipe):
    recipe = make_recipe(train={"max_steps": 6, "learning_rate": 2e-2})
    train(recipe)
    run = RunDir(recipe.run_dir)
    results, report = compare(run.root, recipe.eval.file, recipe.eval, run.eval_dir)
    assert [r.label for r in results] == ["base (" + recipe.model + ")", "tuned (tiny)"]
    for result in results:
        assert {"val_loss", "val_perplexity", "exact_match"} <= set(result.metrics)
        assert len(result.predictions) == recipe.eval.limit
    assert results[1].metrics["val_loss"] < results[0].metrics["val_loss"]  # training lowered the loss
    saved = json.loads((run.eval_dir / "report.json").read_text())
    assert saved == report and len(saved["models"]) == 2
    md = (run.eval_dir / "report.md").read_text()
    assert "| val_loss |" in md and "Δ" in md
    delta = next(r for r in comparison_rows(results) if r[0] == "val_loss")[-1]
    assert float(delta.split()[0]) < 0
    assert len((run.eval_dir / "predictions-1.jsonl").read_text().splitlines()) == recipe.eval.limit
