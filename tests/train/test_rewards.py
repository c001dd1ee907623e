"""Reward functions for online RL score known strings as documented, and bad reward settings name the entry."""

from __future__ import annotations

import re

import pytest

from tests.data.fake_openai import FakeOpenAI
from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.train.rewards import build_rewards, exact_answer, json_valid, judge, length


def bot(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def rewards_of(*entries) -> list:
    """The `stage.rewards` entries as a grpo recipe validates them."""
    return validate_recipe(
        {"data": {"train": "x.jsonl"}, "stage": {"name": "grpo", "rewards": list(entries)}}
    ).stage.rewards


def run(config: dict, completions: list, **columns) -> list:
    """Build one reward from its recipe entry and score `completions` (conversational, as TRL passes them)."""
    (reward,) = build_rewards(rewards_of(config))
    prompts = [[{"role": "user", "content": "q"}]] * len(completions)
    return reward.func(prompts, [bot(c) if isinstance(c, str) else c for c in completions], **columns)


@pytest.mark.parametrize(
    "text, fields, expected",
    [
        ('{"name": "Ada", "age": 36}', None, 1.0),
        ('```json\n{"name": "Ada"}\n```', None, 1.0),
        ("[1, 2]", None, 1.0),
        ('{"name": "Ada",}', None, 0.0),
        ('Sure! {"name": "Ada"}', None, 0.0),
        ('{"name": "Ada", "age": 36}', ["name", "age"], 1.0),
        ('{"name": "Ada"}', ["name", "age"], 0.75),
        ("[1, 2]", ["name"], 0.5),
        ("not json", ["name"], 0.0),
    ],
)
def test_json_valid(text, fields, expected):
    assert json_valid.score(text, fields) == expected


def test_regex_searches_or_matches_whole():
    assert run({"name": "regex", "pattern": r"\d{3}-\d{4}"}, ["Call 555-1234 now", "no number"]) == [1.0, 0.0]
    whole = {"name": "regex", "pattern": r"(yes|no)", "fullmatch": True}
    assert run(whole, ["yes", " no\n", "yes indeed"]) == [1.0, 1.0, 0.0]


def test_length_peaks_at_the_target():
    assert length.score(10, 10) == 1.0 and length.score(5, 10) == 0.5 and length.score(15, 10) == 0.5
    assert length.score(25, 10) == 0.0
    assert run({"name": "length", "target": 4}, ["one two three four", "one two"]) == [1.0, 0.5]
    assert run({"name": "length", "target": 8, "unit": "chars"}, ["12345678", "1234"]) == [1.0, 0.5]
    tokens = run({"name": "length", "target": 4, "unit": "tokens"}, ["x", "y"], completion_ids=[[1, 2, 3, 4], [1, 2]])
    assert tokens == [1.0, 0.5]


def test_exact_answer_against_a_dataset_column():
    assert exact_answer.score("Paris.", "paris") == 1.0
    assert exact_answer.score("  The   Answer ", "the answer") == 1.0
    assert exact_answer.score("5.0", "5") == 1.0 and exact_answer.score("6", "5") == 0.0
    assert exact_answer.score("It is Paris, France", "Paris", "contains") == 1.0
    assert exact_answer.score("anything", "") == 0.0
    scored = run({"name": "exact_answer", "column": "gold"}, ["42", "41", "Forty-two"], gold=["42", "42", "forty-two"])
    assert scored == [1.0, 0.0, 1.0]


def test_judge_prompt_and_score_parsing():
    template = 'Judge {"json": true}: Q={prompt} A={completion}'
    assert judge.judge_prompt(template, "2+2?", "4") == 'Judge {"json": true}: Q=2+2? A=4'
    assert judge.parse_score("8", 10) == 0.8
    assert judge.parse_score("Score: 7/10", 10) == 0.7
    assert judge.parse_score("I'd say 12", 10) == 1.0 and judge.parse_score("-3", 10) == 0.0
    assert judge.parse_score("excellent", 10) is None


def test_judge_calls_an_openai_compatible_endpoint(monkeypatch):
    monkeypatch.setenv("JUDGE_KEY", "k-123")
    replies = {"good": "9", "bad": "1", "odd": "no idea"}
    with FakeOpenAI(lambda body: replies[body["messages"][-1]["content"].rsplit("\n", 1)[-1]]) as server:
        config = {"name": "judge", "base_url": server.base_url, "model": "j", "api_key_env": "JUDGE_KEY", "scale": 10}
        assert run(config, ["good", "bad", "odd"]) == [0.9, 0.1, None]  # None: unscored, left out of the mean
    assert {r.headers["authorization"] for r in server.requests} == {"Bearer k-123"}
    assert all(r.body["temperature"] == 0.0 and r.body["max_tokens"] == 16 for r in server.requests)


def test_judge_without_its_key_fails_before_training(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    with pytest.raises(InputError, match="environment variable NO_SUCH_KEY is not set"):
        run({"name": "judge", "base_url": "http://127.0.0.1:9/v1", "model": "j", "api_key_env": "NO_SUCH_KEY"}, ["x"])


def test_repeated_rewards_get_distinct_names():
    rewards = build_rewards(rewards_of("json_valid", "json_valid"))
    assert [r.name for r in rewards] == ["json_valid", "json_valid_2"]
    assert [r.func.__name__ for r in rewards] == ["json_valid", "json_valid_2"]  # TRL logs rewards/<__name__>/mean


@pytest.mark.parametrize(
    "rewards, message",
    [
        ([{"name": "json_valdi"}], "rewards[0]: unknown reward 'json_valdi'; did you mean 'json_valid'?"),
        ([{"name": "regex", "pattern": "(", "x": 1}], "key 'stage.rewards[0].x': unknown key"),
        ([{"name": "json_valid"}, {"name": "regex", "pattern": "("}], "key 'stage.rewards[1].pattern': not a valid"),
        ([{"name": "judge", "model": "m", "prompt": "Rate {prompt}"}], "rewards[0].prompt': must contain {completion}"),
        ([{"name": "judge", "modle": "m"}], "rewards[0].modle': unknown key; did you mean 'model'?"),
        ([], "stage.rewards'"),
    ],
)
def test_bad_reward_entries_are_recipe_errors(rewards, message):
    with pytest.raises(InputError, match=re.escape(message)):
        validate_recipe({"data": {"train": "x.jsonl"}, "stage": {"name": "grpo", "rewards": rewards}})


def test_rewards_are_required_for_online_stages():
    with pytest.raises(InputError, match=re.escape("key 'stage.rewards': required key is missing")):
        validate_recipe({"data": {"train": "x.jsonl"}, "stage": "rloo"})


def test_reward_model_must_have_a_reward_head(tiny_model_dir):
    from tunesmith.train.rewards.reward_model import load_reward_model

    with pytest.raises(InputError, match="LlamaForCausalLM without a reward head"):
        load_reward_model(str(tiny_model_dir))


def test_rewards_round_trip_through_the_run_recipe():
    from tunesmith.config import dump_recipe

    raw = {
        "data": {"train": "x.jsonl"},
        "stage": {
            "name": "grpo",
            "rewards": [{"name": "json_valid", "fields": ["id"]}, {"name": "regex", "pattern": "a+"}],
        },
    }
    recipe = validate_recipe(raw)
    import yaml

    again = validate_recipe(yaml.safe_load(dump_recipe(recipe)))
    assert again.stage.rewards == recipe.stage.rewards and again.stage.rewards[0].fields == ["id"]
