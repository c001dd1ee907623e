"""`tunesmith sweep`: Optuna trials over recipe keys, pruning on validation loss, resumable, best recipe written."""

import json

import pytest
import yaml

from tunesmith.config import load_recipe, validate_recipe
from tunesmith.errors import InputError
from tunesmith.train.sweep import _Pruning, run_sweep


def sweep_recipe(make_recipe, **sweep):
    space = {"train.learning_rate": {"low": 1e-4, "high": 3e-2, "log": True}, "method.r": {"choices": [2, 4]}}
    return make_recipe(
        train={"max_steps": 4, "eval_steps": 2, "logging_steps": 1},
        sweep={"trials": 2, "space": space, **sweep},
    )


def test_sweep_runs_trials_writes_results_and_the_best_recipe(make_recipe):
    recipe = sweep_recipe(make_recipe)
    result = run_sweep(recipe)
    assert [r["trial"] for r in result.rows] == [0, 1]
    complete = [r for r in result.rows if r["state"] == "complete"]
    assert complete and result.best_value == min(r["best_val_loss"] for r in complete)
    for row in result.rows:
        assert 1e-4 <= row["train.learning_rate"] <= 3e-2 and row["method.r"] in (2, 4)
        assert (result.sweep_dir / f"trial-{row['trial']:03d}" / "metrics.jsonl").is_file()
    best = load_recipe(result.sweep_dir / "best-recipe.yaml")
    assert best.train.learning_rate == result.best_params["train.learning_rate"]
    assert best.method.r == result.best_params["method.r"] and best.sweep is None
    assert json.loads((result.sweep_dir / "results.json").read_text()) == result.rows


def test_an_interrupted_sweep_continues_where_it_stopped(make_recipe):
    recipe = sweep_recipe(make_recipe, trials=1)
    first = run_sweep(recipe)
    assert len(first.rows) == 1
    again = run_sweep(recipe, trials=2)  # one more trial, not two
    assert [r["trial"] for r in again.rows] == [0, 1]
    assert again.rows[0] == first.rows[0]


def test_pruning_reports_each_validation_loss_and_stops_training_when_told():
    from transformers import TrainerControl

    class Trial:
        def __init__(self):
            self.reports = []

        def report(self, value, step):
            self.reports.append((step, value))

        def should_prune(self):
            return len(self.reports) >= 2

    trial, control = Trial(), TrainerControl()
    pruning = _Pruning(trial)
    state = type("State", (), {"global_step": 2})()
    pruning.on_evaluate(None, state, control, metrics={"eval_loss": 3.0})
    assert not control.should_training_stop and not pruning.pruned
    state.global_step = 4
    pruning.on_evaluate(None, state, control, metrics={"eval_loss": 2.5})
    assert trial.reports == [(2, 3.0), (4, 2.5)]
    assert control.should_training_stop and pruning.pruned


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"train.learnig_rate": {"low": 1e-4, "high": 1e-3}}, "unknown key; did you mean 'learning_rate'"),
        ({"train.learning_rate": {"low": 1e-3, "high": 1e-4}}, "low \\(0.001\\) is above high"),
        ({"train.learning_rate": {"low": 0.0, "high": 1e-3, "log": True}}, "log range needs low > 0"),
        ({"method.r": {}}, "give low and high, or choices"),
    ],
)
def test_bad_search_spaces_fail_before_any_training(make_recipe, space, message):
    with pytest.raises(InputError, match=message):
        recipe = sweep_recipe(make_recipe)
        raw = yaml.safe_load(yaml.safe_dump(recipe.model_dump(mode="json")))
        raw["sweep"]["space"] = space
        run_sweep(validate_recipe(raw))
