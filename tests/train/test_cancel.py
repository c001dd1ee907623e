"""Cooperative cancel from another thread, then resume: the same final step, loss and weights as a straight run."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from safetensors.torch import load_file

from tunesmith.progress import Progress
from tunesmith.runs import RunDir, checkpoint_step, read_jsonl
from tunesmith.train.run import train

STEPS = 12


class Watch(Progress):
    """Signals `reached` once training has done `at` steps (from the training thread)."""

    def __init__(self, at: int):
        self.at = at
        self.reached = threading.Event()
        self.notes: list[str] = []

    def update(self, task: str, completed: int, **info) -> None:
        if completed >= self.at:
            self.reached.set()

    def note(self, message: str) -> None:
        self.notes.append(message)


def last_loss(run_dir: str) -> tuple[int, float]:
    row = [r for r in read_jsonl(RunDir(Path(run_dir)).metrics) if "loss" in r][-1]
    return row["step"], row["loss"]


@pytest.fixture
def recipe(make_recipe):
    return make_recipe(
        train={"max_steps": STEPS, "eval_steps": 4, "save_steps": 4, "scheduler": "linear", "learning_rate": 5e-3}
    )


def test_cancel_mid_run_then_resume_matches_an_uninterrupted_run(recipe):
    paused = recipe.model_copy(update={"output": recipe.output.model_copy(update={"name": "paused"})})
    cancel, watch = threading.Event(), Watch(at=5)
    canceller = threading.Thread(target=lambda: watch.reached.wait(120) and cancel.set())
    canceller.start()
    first = train(paused, progress=watch, cancel=cancel)
    canceller.join()

    run = RunDir(Path(first.run_dir))
    assert first.cancelled and 5 <= first.steps < STEPS
    assert not run.final.exists() and not run.summary.exists()  # an unfinished run has no output yet
    assert checkpoint_step(run.last_checkpoint()) == first.steps  # saved exactly where it stopped
    assert any("cancelled at step" in note for note in watch.notes)

    resumed = train(paused, resume=True)
    assert not resumed.cancelled and resumed.steps == STEPS
    assert resumed.resumed_from == str(run.last_checkpoint().parent / f"checkpoint-{first.steps}")

    straight = train(recipe)
    assert last_loss(resumed.run_dir) == pytest.approx(last_loss(straight.run_dir), rel=1e-4)
    ours = load_file(run.final / "adapter_model.safetensors")
    theirs = load_file(RunDir(Path(straight.run_dir)).final / "adapter_model.safetensors")
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert (ours[name] - theirs[name]).abs().max() < 1e-4, name


def test_a_cancel_set_before_the_start_stops_after_the_first_step(recipe):
    cancel = threading.Event()
    cancel.set()
    result = train(recipe, cancel=cancel)
    assert result.cancelled and result.steps == 1
    assert checkpoint_step(RunDir(Path(result.run_dir)).last_checkpoint()) == 1
