"""Data-parallel training through torchrun: 2 gloo processes on CPU learn what 1 process with accumulation 2 does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tunesmith.config import dump_recipe
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.distributed import torchrun_command
from tunesmith.train.run import train

pytestmark = pytest.mark.slow  # two torchrun launches, four training processes

SAME = {"batch_size": 2, "learning_rate": 5e-3, "scheduler": "constant", "warmup_ratio": 0.0, "logging_steps": 1,
        "precision": "fp32", "keep_best": False}  # fmt: skip


def _recipe(make_recipe, name: str, steps: int, accumulation: int):
    return make_recipe(
        data={"validation_split": 0.0},
        train={**SAME, "max_steps": steps, "save_steps": 3, "gradient_accumulation": accumulation},
        output={"name": name},
    )


def _torchrun(recipe, tmp_path, *flags: str) -> None:
    path = tmp_path / f"{recipe.output.name}.yaml"
    path.write_text(dump_recipe(recipe))
    command = torchrun_command(2, ["train", str(path), "--no-eval", *flags])
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]


def _losses(recipe) -> dict[int, float]:
    return {r["step"]: r["loss"] for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "loss" in r}


def test_two_process_ddp_matches_accumulation_and_resumes_in_either_mode(make_recipe, tmp_path):
    reference = _recipe(make_recipe, "reference", steps=6, accumulation=2)
    train(reference)
    expected = _losses(reference)
    assert sorted(expected) == [1, 2, 3, 4, 5, 6]

    # 3 steps on 2 processes, then 3 more on 1 process (accumulation 2) from rank 0's checkpoint
    ddp = _recipe(make_recipe, "ddp-first", steps=3, accumulation=1)
    _torchrun(ddp, tmp_path)
    assert (RunDir(ddp.run_dir).checkpoints / "checkpoint-3").is_dir()
    assert (RunDir(ddp.run_dir).final / "adapter_model.safetensors").is_file()
    assert train(_recipe(make_recipe, "ddp-first", steps=6, accumulation=2), resume=True).steps == 6
    got = _losses(ddp)
    assert sorted(got) == [1, 2, 3, 4, 5, 6]
    assert got == pytest.approx(expected, rel=2e-3)

    # 3 steps on 1 process, then 3 more on 2 processes
    single = _recipe(make_recipe, "single-first", steps=3, accumulation=2)
    train(single)
    _torchrun(_recipe(make_recipe, "single-first", steps=6, accumulation=1), tmp_path, "--resume")
    got = _losses(single)
    assert sorted(got) == [1, 2, 3, 4, 5, 6]
    assert got == pytest.approx(expected, rel=2e-3)


def test_torchrun_command_runs_tunesmith_in_n_processes():
    command = torchrun_command(4, ["train", "r.yaml"])
    assert command[:3] == [sys.executable, "-m", "torch.distributed.run"]
    assert "--nproc_per_node=4" in command and command[-4:] == ["-m", "tunesmith", "train", "r.yaml"]
