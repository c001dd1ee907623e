"""`--resume` on a finished run: it says the run is complete and trains (and rewrites) nothing."""

import sys

import pytest
import yaml

from tunesmith.cli.main import main
from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.run import train


def snapshot(root):
    return {p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_resume_of_a_finished_run_trains_nothing(make_recipe, tmp_path, monkeypatch, capsys):
    recipe = make_recipe(train={"max_steps": 2, "eval_steps": 1}, eval={"file": None})
    first = train(recipe)
    assert first.steps == 2 and not first.already_complete
    run = RunDir(first.run_dir)
    before = snapshot(run.root)

    again = train(recipe, resume=True)
    assert again.already_complete and again.steps == 2

    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe.model_dump(mode="json")), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["tunesmith", "train", str(path), "--resume"])
    with pytest.raises(SystemExit) as exit_:
        main()
    out = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code in (0, None)
    assert "already complete (2 steps)" in out and "nothing to resume" in out
    assert snapshot(run.root) == before  # no step trained, no file rewritten
    assert run.last_checkpoint().name == "checkpoint-2"


def test_max_steps_zero_is_refused():
    with pytest.raises(InputError, match=r"key 'train.max_steps'.*positive number of optimizer steps, or -1"):
        validate_recipe({"data": {"train": "d.jsonl"}, "train": {"max_steps": 0}})
