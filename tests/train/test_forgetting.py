"""Defences against forgetting: replay mixes general data in; L2-SP pulls trainable weights toward their start."""

import json

import pytest
import torch

from tests.conftest import write_jsonl
from tunesmith.data.training import Chat, load_training_data
from tunesmith.train import replay
from tunesmith.train.l2sp import PullToStart
from tunesmith.train.replay import add_replay, replay_count, self_replay_rows
from tunesmith.train.run import train


@pytest.mark.parametrize(("examples", "share", "expected"), [(90, 0.1, 10), (100, 0.0, 0), (30, 0.5, 30), (7, 0.2, 2)])
def test_replay_count_makes_the_share_of_the_mixed_set(examples, share, expected):
    assert replay_count(examples, share) == expected


def test_add_replay_mixes_the_requested_share_from_a_general_file(make_recipe, tmp_path):
    general = write_jsonl(tmp_path / "general.jsonl", [{"messages": _turns(i)} for i in range(5)])
    recipe = make_recipe(forgetting={"replay": 0.25, "replay_data": str(general)}, data={"validation_split": 0.0})
    task, _ = load_training_data(recipe.data, Chat(cached=False), recipe.train.seed)
    mixed = add_replay(task, recipe, str(recipe.model))
    users = [row[0]["content"] for row in mixed["messages"]]
    replayed = [u for u in users if u.startswith("general")]
    assert len(mixed) == len(task) + 11 and len(replayed) == 11  # 32 task examples: 11 / 43 ≈ 0.25
    assert set(replayed) == {f"general {i}" for i in range(5)}  # a small pool is repeated, every row used
    again = add_replay(task, recipe, str(recipe.model))
    assert again["messages"] == mixed["messages"]  # seeded: the same recipe mixes the same way


def test_self_replay_answers_come_from_the_base_model_and_are_cached(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path / "home"))
    seen = {}

    def fake_generate(model, tokenizer, conversations, max_new_tokens, batch_size, progress=None):
        seen.update(layers=model.config.num_hidden_layers, max_new_tokens=max_new_tokens)
        return ["" if i == 0 else f"answer {i}" for i in range(len(conversations))]  # the random model says little

    monkeypatch.setattr("tunesmith.models.generate.generate", fake_generate)
    rows = self_replay_rows(str(tiny_model_dir), max_new_tokens=4)
    prompts = [json.loads(line)["messages"] for line in replay.GENERAL_PROMPTS.read_text().splitlines()]
    assert seen == {"layers": 2, "max_new_tokens": 4}  # the base model in the folder answered
    assert len(rows) == len(prompts) - 1  # an empty answer is not replayed
    assert rows[0]["messages"] == [*prompts[1], {"role": "assistant", "content": "answer 1"}]

    def no_generation(*args, **kwargs):
        raise AssertionError("the cached answers should have been used")

    monkeypatch.setattr("tunesmith.models.generate.generate", no_generation)
    assert self_replay_rows(str(tiny_model_dir), max_new_tokens=4) == rows
    assert len(list((tmp_path / "home" / "replay").glob("*.jsonl"))) == 1


def test_pull_to_start_moves_each_weight_back_by_lr_times_strength():
    weight = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    frozen = torch.nn.Parameter(torch.tensor([5.0]), requires_grad=False)
    model = torch.nn.Module()
    model.weight, model.frozen = weight, frozen
    pull = PullToStart(model, strength=0.5)
    with torch.no_grad():
        weight.add_(torch.tensor([2.0, 2.0]))  # an optimizer step moved it by +2
    optimizer = torch.optim.SGD([weight], lr=0.1)
    pull.on_optimizer_step(None, None, None, optimizer=optimizer)
    assert torch.allclose(weight, torch.tensor([3.0 - 0.1, 0.0 - 0.1]))  # 2 · 0.1 · 0.5 back toward the start
    assert frozen.item() == 5.0


def test_l2sp_keeps_trained_weights_closer_to_their_start(make_recipe):
    def distance(**forgetting):
        recipe = make_recipe(
            method={"name": "full"},
            train={"max_steps": 6, "learning_rate": 5e-3, "eval_steps": 100},
            forgetting=forgetting,
            output={"name": f"l2sp-{forgetting.get('l2sp', 0)}"},
        )
        from tunesmith.models.loading import load_model

        start = load_model(str(recipe.model)).state_dict()
        train(recipe)
        end = load_model(str(recipe.run_dir / "final")).state_dict()
        return sum((end[k] - start[k]).pow(2).sum().item() for k in start) ** 0.5

    assert distance(l2sp=50.0) < 0.8 * distance()


def _turns(i: int) -> list[dict]:
    return [{"role": "user", "content": f"general {i}"}, {"role": "assistant", "content": f"g{i}"}]


def test_train_with_replay_trains_on_the_mixed_set(make_recipe, tmp_path):
    general = write_jsonl(tmp_path / "general.jsonl", [{"messages": _turns(i)} for i in range(5)])
    recipe = make_recipe(forgetting={"replay": 0.5, "replay_data": str(general)}, data={"validation_split": 0.0})
    result = train(recipe)
    assert result.train_examples == 64  # 32 task examples + 32 replayed
