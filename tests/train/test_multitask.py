"""Multi-task SFT: several task files, each split on its own, mixed by temperature or weights."""

import pytest

from tests.conftest import write_jsonl
from tunesmith.config import DataConfig
from tunesmith.data.training import Chat, load_training_data
from tunesmith.errors import InputError


def task_file(tmp_path, name, count):
    rows = [
        {"messages": [{"role": "user", "content": f"{name} {i}"}, {"role": "assistant", "content": "ok"}]}
        for i in range(count)
    ]
    return write_jsonl(tmp_path / f"{name}.jsonl", rows)


def counts(dataset):
    users = [m[0]["content"].split()[0] for m in dataset["messages"]]
    return {name: users.count(name) for name in sorted(set(users))}


@pytest.mark.parametrize(
    ("temperature", "expected"), [(None, {"big": 81, "small": 9}), (100.0, {"big": 45, "small": 45})]
)
def test_tasks_are_mixed_by_temperature(tmp_path, temperature, expected):
    cfg = DataConfig(
        train=task_file(tmp_path, "big", 90),
        tasks=[task_file(tmp_path, "small", 10)],
        validation_split=0.1,
        mix_temperature=temperature,
    )
    train, validation = load_training_data(cfg, Chat(cached=False), 0)
    assert counts(validation) == {"big": 9, "small": 1}  # each file gives its own 10%
    assert counts(train) == expected  # 90 training examples in all; T=100 is nearly uniform
    held = {m[0]["content"] for m in validation["messages"]}
    assert not held & {m[0]["content"] for m in train["messages"]}  # nothing validated on is trained on


def test_fixed_weights_and_their_errors(tmp_path):
    big, small = task_file(tmp_path, "big", 30), task_file(tmp_path, "small", 10)
    cfg = DataConfig(train=big, tasks=[small], validation_split=0.0, mix_weights={"big": 1, "small": 3})
    train, validation = load_training_data(cfg, Chat(cached=False), 0)
    assert counts(train) == {"big": 10, "small": 30} and validation is None
    with pytest.raises(InputError, match="data.mix_weights: unknown source\\(s\\) \\['smal'\\]"):
        load_training_data(cfg.model_copy(update={"mix_weights": {"smal": 1.0}}), Chat(cached=False), 0)
    with pytest.raises(InputError, match="distinct names"):
        load_training_data(cfg.model_copy(update={"tasks": [big]}), Chat(cached=False), 0)
