"""`run_sweep`: search a recipe's hyperparameters with Optuna, pruning trials on validation loss.

Each trial is an ordinary run (`<sweep dir>/trial-NNN/`) of the recipe with the trial's values set; the study
lives in `<sweep dir>/study.db` (SQLite), so an interrupted sweep continues where it stopped. The results
table and the best recipe (`best-recipe.yaml`, sweep section removed) are written beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from tunesmith.atomic import write_text
from tunesmith.config import Recipe, SearchSpace, dump_recipe, validate_recipe
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress


@dataclass(frozen=True)
class SweepResult:
    """Where the sweep wrote its files, its trials as table rows, and the best trial's values."""

    sweep_dir: Path
    rows: list[dict]
    best_params: dict[str, Any]
    best_value: float


def sweep_dir(recipe: Recipe) -> Path:
    return recipe.output.dir / f"{recipe.output.name}-sweep"


def run_sweep(recipe: Recipe, trials: int | None = None, progress: Progress = SILENT) -> SweepResult:
    """Run the sweep's remaining trials (up to `trials`, default `sweep.trials`) and write the results."""
    try:
        import optuna
    except ImportError:
        raise InputError("sweep", "needs Optuna: pip install 'tunesmith[sweep]'") from None

    if recipe.sweep is None:
        raise InputError("sweep", "the recipe has no sweep section (sweep: {space: {train.learning_rate: …}})")
    if recipe.data.validation is None and recipe.data.validation_split == 0:
        raise InputError("data", "a sweep compares validation loss: give data.validation or data.validation_split")
    base = recipe.model_dump(mode="json", exclude={"sweep"})
    for key, space in recipe.sweep.space.items():  # every key must name a real recipe key, before any training
        _with_values(base, {key: space.choices[0] if space.choices else space.low}, f"sweep.space.{key}")
    folder = sweep_dir(recipe)
    folder.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name="sweep",
        storage=f"sqlite:///{folder / 'study.db'}",
        load_if_exists=True,
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=recipe.sweep.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2) if recipe.sweep.pruning else optuna.pruners.NopPruner(),
    )
    for stale in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(stale.number, state=optuna.trial.TrialState.FAIL)  # killed mid-trial last time
    total = trials or recipe.sweep.trials
    done = len(study.get_trials(deepcopy=False, states=_finished()))
    progress.start("sweep", total)
    for _ in range(max(0, total - done)):
        study.optimize(lambda trial: _objective(trial, recipe, base, folder), n_trials=1, catch=())
        progress.update("sweep", len(study.get_trials(deepcopy=False, states=_finished())))
    progress.finish("sweep")
    return _write_results(study, recipe, base, folder)


class _Pruning(TrainerCallback):
    """Report each validation loss to Optuna; stop training when the pruner says the trial is behind."""

    def __init__(self, trial):
        self.trial = trial
        self.pruned = False

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if metrics and "eval_loss" in metrics:
            self.trial.report(metrics["eval_loss"], state.global_step)
            if self.trial.should_prune():
                self.pruned = True
                control.should_training_stop = True


def _objective(trial, recipe: Recipe, base: dict, folder: Path) -> float:
    import optuna

    from tunesmith.train.run import train

    values = {key: _suggest(trial, key, space) for key, space in recipe.sweep.space.items()}
    raw = _with_values(base, values, f"trial {trial.number}")
    raw["output"] = {"dir": str(folder), "name": f"trial-{trial.number:03d}"}
    pruning = _Pruning(trial)
    result = train(validate_recipe(raw, "sweep"), overwrite=True, callbacks=[pruning])
    if result.best_eval_loss is None:
        raise InputError("sweep", "no validation loss was logged: lower train.eval_steps below the step count")
    trial.set_user_attr("steps", result.steps)
    if pruning.pruned:
        raise optuna.TrialPruned()
    return result.best_eval_loss


def _suggest(trial, key: str, space: SearchSpace):
    if space.choices is not None:
        return trial.suggest_categorical(key, space.choices)
    if float(space.low).is_integer() and float(space.high).is_integer() and (space.step or 1).is_integer():
        return trial.suggest_int(key, int(space.low), int(space.high), step=int(space.step or 1), log=space.log)
    return trial.suggest_float(key, space.low, space.high, step=space.step, log=space.log)


def _with_values(base: dict, values: dict[str, Any], where: str) -> dict:
    """A copy of the recipe mapping with dotted keys set; checks that the result is still a valid recipe."""
    raw = json.loads(json.dumps(base))
    for key, value in values.items():
        node = raw
        *parents, last = key.split(".")
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise InputError(where, f"'{key}' is not a recipe key ('{part}' is not a section)")
            node = node[part]
        node[last] = value
    validate_recipe(raw, where)
    return raw


def _finished() -> tuple:
    import optuna

    state = optuna.trial.TrialState
    return (state.COMPLETE, state.PRUNED, state.FAIL)


def _write_results(study, recipe: Recipe, base: dict, folder: Path) -> SweepResult:
    import optuna

    rows = [
        {
            "trial": t.number,
            "state": t.state.name.lower(),
            "best_val_loss": t.value,
            "steps": t.user_attrs.get("steps"),
            **t.params,
        }
        for t in study.get_trials(deepcopy=False)
    ]
    write_text(folder / "results.json", json.dumps(rows, indent=2))
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        raise InputError("sweep", f"no trial completed; see {folder}")
    best = study.best_trial
    best_recipe = validate_recipe(_with_values(base, best.params, "best trial"), "best trial")
    write_text(folder / "best-recipe.yaml", dump_recipe(best_recipe))
    return SweepResult(sweep_dir=folder, rows=rows, best_params=best.params, best_value=best.value)
