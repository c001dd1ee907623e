"""`kill -9` mid-run, then `--resume`: same step count and (near) the same final validation loss."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tunesmith.config import load_recipe
from tunesmith.runs import RunDir, checkpoint_step, read_jsonl
from tunesmith.train.run import train

STEPS = 30


def final_eval_loss(run: RunDir) -> float:
    return [r["eval_loss"] for r in read_jsonl(run.metrics) if "eval_loss" in r][-1]


@pytest.fixture
def recipe_file(make_recipe, tmp_path):
    recipe = make_recipe(
        method={"name": "full"},
        train={"max_steps": STEPS, "eval_steps": 5, "save_steps": 5, "scheduler": "linear", "learning_rate": 5e-3},
    )
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe.model_dump(mode="json")))
    return path


def test_resume_after_kill_matches_an_uninterrupted_run(recipe_file, tmp_path):
    killed = load_recipe(recipe_file, ["output.name=killed"])
    cmd = [sys.executable, "-m", "tunesmith", "train", str(recipe_file), "output.name=killed", "--no-eval"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    marker = RunDir(killed.run_dir).checkpoints / "checkpoint-10" / "trainer_state.json"
    deadline = time.time() + 120
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "training finished before it could be killed"
    run = RunDir(killed.run_dir)
    assert not run.final.exists()
    checkpoint = run.last_checkpoint()
    assert checkpoint is not None and checkpoint_step(checkpoint) < STEPS

    resumed = train(killed, resume=True)
    assert resumed.resumed_from == str(checkpoint)
    assert resumed.steps == STEPS
    steps = [r["step"] for r in read_jsonl(run.metrics) if "loss" in r]
    assert steps == sorted(set(steps)) and steps[-1] == STEPS  # no duplicated rows after the resume point

    evals = [r["eval_loss"] for r in read_jsonl(run.metrics) if "eval_loss" in r]
    assert evals[-1] < evals[0] - 1.0  # the run really learned, so a bad resume would show

    straight = train(load_recipe(recipe_file, ["output.name=straight"]))
    assert straight.steps == STEPS
    assert final_eval_loss(run) == pytest.approx(final_eval_loss(RunDir(Path(straight.run_dir))), rel=0.01)
