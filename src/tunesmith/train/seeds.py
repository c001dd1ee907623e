"""`train_seeds`: train one recipe N times, with seeds train.seed + 0 … N − 1, and summarise mean ± spread.

Each repeat is an ordinary run, `<output.dir>/<name>-seeds/seed-<seed>/`; a finished one is kept, not trained
again (an unfinished one resumes from its last checkpoint where its method can), so an interrupted series
continues where it stopped. Each run's final metrics (training loss, best validation loss, held-out preference
scores, and the recipe's eval section on the tuned model) go into `seeds.json` / `seeds.md` beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tunesmith.config import OutputConfig, Recipe
from tunesmith.errors import InputError
from tunesmith.eval.seeds import PREFIX, write_summary
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir


@dataclass(frozen=True)
class SeedsResult:
    """Where the runs and summary went, which seeds trained now and which were already finished."""

    folder: Path
    trained: list[int]
    kept: list[int]
    summary: dict


def seeds_dir(recipe: Recipe) -> Path:
    return recipe.output.dir / f"{recipe.output.name}-seeds"


def seed_recipes(recipe: Recipe, n: int) -> list[Recipe]:
    """The recipe once per seed, train.seed + 0 … n − 1, each writing its own run directory."""
    if n < 1:
        raise InputError("--seeds", f"expected 1 or more runs, got {n}")
    folder, first = seeds_dir(recipe), recipe.train.seed
    return [
        recipe.model_copy(
            update={
                "train": recipe.train.model_copy(update={"seed": first + k}),
                "output": OutputConfig(dir=folder, name=f"{PREFIX}{first + k}"),
            }
        )
        for k in range(n)
    ]


def train_seeds(
    recipe: Recipe, n: int, overwrite: bool = False, evaluate: bool = True, progress: Progress = SILENT
) -> SeedsResult:
    """Train (or keep) each seed's run, evaluate it (the base model only beside the first: greedy decoding scores
    it the same every time) and write the summary."""
    from tunesmith.train.run import finished_run

    trained, kept, entries = [], [], []
    for k, seeded in enumerate(seed_recipes(recipe, n)):
        seed, run = seeded.train.seed, RunDir(seeded.run_dir)
        done = None if overwrite else finished_run(run, seeded)
        progress.note(f"seed {seed} ({k + 1}/{n}): " + ("finished earlier, kept" if done else "training"))
        if done is None:
            done = _train(seeded, run, overwrite, progress)
            trained.append(seed)
        else:
            kept.append(seed)
        metrics = {"train_loss": done.train_loss, "best_val_loss": done.best_eval_loss}
        metrics.update({f"held_out/{key}": value for key, value in done.held_out.items()})
        if evaluate and seeded.eval.file is not None:
            metrics.update(_eval_metrics(seeded, run, fresh=seed in trained, baseline=k == 0, progress=progress))
        entries.append({"seed": seed, "run": str(run.root), "metrics": metrics})
    summary = write_summary(seeds_dir(recipe), entries, f"tunesmith train {recipe.source} --seeds {n}")
    return SeedsResult(seeds_dir(recipe), trained, kept, summary)


def _train(recipe: Recipe, run: RunDir, overwrite: bool, progress: Progress):
    """Train one seed: resume its checkpoint where the method can reload one, else start it afresh."""
    from tunesmith.train.methods import find_method
    from tunesmith.train.run import train

    resumable = find_method(recipe.method.name).checkpoints_reload(recipe.method)
    resume = not overwrite and resumable and run.last_checkpoint() is not None
    result = train(recipe, resume=resume, overwrite=not resume, progress=progress)
    if result.cancelled:
        raise InputError(str(run.root), "training stopped before its last step; train again to finish")
    return result


def _eval_metrics(recipe: Recipe, run: RunDir, fresh: bool, baseline: bool, progress: Progress) -> dict:
    """The tuned model's eval metrics: from the run's report when it has one and did not train now."""
    report = run.eval_dir / "report.json"
    if not fresh and report.is_file():
        return json.loads(report.read_text(encoding="utf-8"))["models"][-1]["metrics"]
    from tunesmith.eval.compare import compare

    results, _ = compare(
        run.root, recipe.eval.file, recipe.eval, run.eval_dir, baseline and recipe.eval.baseline, progress
    )
    return results[-1].metrics
