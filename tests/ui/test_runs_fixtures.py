"""Real runs for the Runs page's tests: three short runs of the tiny model (two learning rates, two methods), each
evaluated against its base as `tunesmith train` does, trained once per session and copied into a workspace."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.ui.conftest import chat_rows, write_jsonl

RUNS = {  # name: (method section, learning rate)
    "lora-lr1e-3": ({"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0}, 1e-3),
    "lora-lr5e-2": ({"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0}, 5e-2),
    "ia3-lr1e-2": ({"name": "ia3"}, 1e-2),
}

CHANGED = {0: "The sky looks grey today", 2: "It is Lyon"}


@pytest.fixture(scope="session")
def trained_runs(tmp_path_factory, tiny_model_dir) -> Path:
    """A folder holding the three finished, evaluated runs."""
    from tunesmith.config import validate_recipe
    from tunesmith.eval.compare import compare
    from tunesmith.runs import RunDir
    from tunesmith.train.run import train

    root = tmp_path_factory.mktemp("runs-page")
    data = write_jsonl(root / "chat.jsonl", chat_rows(24))
    for name, (method, lr) in RUNS.items():
        recipe = validate_recipe(
            {
                "model": str(tiny_model_dir),
                "data": {"train": str(data), "validation_split": 0.25},
                "method": method,
                "train": {"max_steps": 3, "batch_size": 4, "learning_rate": lr, "eval_steps": 1, "logging_steps": 1},
                "eval": {"file": str(data), "metrics": ["exact_match", "rouge_l"], "max_new_tokens": 6, "limit": 6},
                "output": {"dir": str(root / "runs"), "name": name},
            }
        )
        run = RunDir(train(recipe).run_dir)
        compare(run.root, recipe.eval.file, recipe.eval, run.eval_dir, recipe.eval.baseline)
    give_answers(root / "runs" / "lora-lr5e-2" / "eval" / "predictions-1.jsonl")
    return root / "runs"


def give_answers(path: Path) -> None:
    """The random tiny model answers every prompt with an empty string, so two of one run's answers are replaced
    by text sharing no word with the reference (exact_match and rouge_l stay 0, as report.json says): the
    side-by-side view then has differences to align and mark."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for index, text in CHANGED.items():
        rows[index]["prediction"] = text
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


JOB_ID = "ftjob-runspage0123456789abcdef"


def copy_runs(trained: Path, workspace: Path) -> None:
    """The trained runs copied into `workspace/runs/`, one of them also as the job runner lays a job's run out
    (`jobs/<job id>/run`), and an unfinished copy (no summary, no final model, last written long ago)."""
    for run in trained.iterdir():
        shutil.copytree(run, workspace / "runs" / run.name, dirs_exist_ok=True)
    shutil.copytree(trained / "ia3-lr1e-2", workspace / "jobs" / JOB_ID / "run", dirs_exist_ok=True)
    stopped = workspace / "runs" / "stopped"
    shutil.copytree(trained / "lora-lr1e-3", stopped, dirs_exist_ok=True)
    (stopped / "summary.json").unlink()
    shutil.rmtree(stopped / "final")
    shutil.rmtree(stopped / "eval")
    for path in (stopped / "recipe.yaml", stopped / "metrics.jsonl"):
        os.utime(path, (time.time() - 3600, time.time() - 3600))
