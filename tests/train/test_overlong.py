"""`train.overlong` on the tiny model: records over `train.max_length` are truncated (reported), dropped or refused."""

from __future__ import annotations

import json

import pytest

from tests.conftest import QUESTIONS, write_jsonl
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.run import train

FAST = {"max_steps": 2, "batch_size": 4, "eval_steps": 2, "logging_steps": 1, "precision": "fp32", "max_length": 64}


class Notes:
    def __init__(self):
        self.notes: list[str] = []

    def start(self, *args, **kwargs): ...
    def update(self, *args, **kwargs): ...
    def finish(self, *args, **kwargs): ...

    def note(self, message: str) -> None:
        self.notes.append(message)


@pytest.fixture
def long_file(tmp_path):
    """Ten short conversations and two long ones (lines 4 and 9)."""
    rows = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in QUESTIONS]
    rows = rows + rows[:4]
    long = {"messages": [{"role": "user", "content": "Say a lot."}, {"role": "assistant", "content": "word " * 120}]}
    rows.insert(3, long)
    rows.insert(8, long)
    return write_jsonl(tmp_path / "long.jsonl", rows)


def recipe(make_recipe, data, overlong):
    return make_recipe(data={"train": str(data), "validation_split": 0}, train={**FAST, "overlong": overlong}, eval={})


def test_truncate_trains_on_everything_and_records_what_was_cut(make_recipe, long_file):
    notes = Notes()
    result = train(recipe(make_recipe, long_file, "truncate"), progress=notes)
    assert result.train_examples == 12
    assert any(n.startswith(f"warning: {long_file}: 2 of 12 records are over train.max_length") for n in notes.notes)
    summary = json.loads(RunDir(result.run_dir).summary.read_text())
    counts = summary["overlong"][str(long_file)]
    assert (counts["overlong"], counts["dropped"], counts["first"]["where"]) == (2, 0, f"{long_file}:4")
    assert counts["tokens_lost"] == 2 * (counts["longest"] - 64)


def test_drop_trains_without_the_overlong_records(make_recipe, long_file):
    notes = Notes()
    result = train(recipe(make_recipe, long_file, "drop"), progress=notes)
    assert result.train_examples == 10 and result.overlong[str(long_file)]["dropped"] == 2
    assert any(n.endswith("dropped them (train.overlong: drop)") for n in notes.notes)


def test_fail_stops_before_the_run_directory_is_made(make_recipe, long_file):
    r = recipe(make_recipe, long_file, "fail")
    with pytest.raises(InputError) as err:
        train(r)
    assert err.value.where == f"{long_file}:4" and "over train.max_length (64)" in err.value.message
    assert not r.run_dir.exists()
