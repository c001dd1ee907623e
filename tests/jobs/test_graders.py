"""OpenAI grader objects as rewards: the rename, the server-only fields refused, the python grader behind its flag."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from tunesmith.config.rewards import RewardConfig
from tunesmith.jobs.graders import check_grader, grader_rewards, to_reward
from tunesmith.train.rewards import build_rewards

PYTHON = {
    "type": "python",
    "name": "exact",
    "source": "def grade(sample, item):\n    return float(sample['output_text'].strip() == item['reference_answer'])\n",
}


def test_openai_grader_maps_by_renaming_type_and_name():
    grader = {
        "type": "string_check",
        "name": "ok",
        "input": "{{ sample.output_text }}",
        "reference": "x",
        "operation": "eq",
    }
    assert to_reward(grader) == {
        "name": "string_check",
        "label": "ok",
        "input": "{{ sample.output_text }}",
        "reference": "x",
        "operation": "eq",
    }
    multi = {"type": "multi", "graders": {"a": grader}, "calculate_output": "a"}
    assert to_reward(multi)["graders"]["a"]["name"] == "string_check"
    check_grader(multi, allow_code=False)


def test_python_grader_needs_the_server_flag():
    with pytest.raises(ValueError, match="--allow-code-graders"):
        check_grader(PYTHON, allow_code=False)
    check_grader(PYTHON, allow_code=True)
    with pytest.raises(ValueError, match="def grade"):
        check_grader({**PYTHON, "source": "x = 1\n"}, allow_code=True)
    with pytest.raises(ValueError, match="not valid Python"):
        check_grader({**PYTHON, "source": "def grade(:\n"}, allow_code=True)


def test_server_only_fields_are_refused_even_inside_multi():
    judge = {"type": "score_model", "name": "j", "model": "m", "input": [{"role": "user", "content": "x"}]}
    with pytest.raises(ValueError, match="'api_key_env' is the server's setting"):
        check_grader({**judge, "api_key_env": "AWS_SECRET_ACCESS_KEY"}, allow_code=False)
    multi = {"type": "multi", "graders": {"j": {**judge, "base_url": "http://evil"}}, "calculate_output": "j"}
    with pytest.raises(ValueError, match="'base_url' is the server's setting"):
        check_grader(multi, allow_code=False)


def test_python_grader_scores_with_the_item_fields():
    (config,) = [TypeAdapter(RewardConfig).validate_python(r) for r in grader_rewards(PYTHON, ["reference_answer"])]
    (reward,) = build_rewards([config])
    completions = [[{"role": "assistant", "content": " Paris"}], [{"role": "assistant", "content": "Rome"}]]
    assert reward.func(prompts=[[], []], completions=completions, reference_answer=["Paris", "Paris"]) == [1.0, 0.0]


def test_python_grader_that_raises_leaves_the_completion_unscored():
    failing = {**PYTHON, "source": "def grade(sample, item):\n    raise RuntimeError('no')\n"}
    (config,) = [TypeAdapter(RewardConfig).validate_python(r) for r in grader_rewards(failing, [])]
    (reward,) = build_rewards([config])
    assert reward.func(prompts=[[]], completions=[[{"role": "assistant", "content": "a"}]]) == [None]


def test_unknown_grader_type_is_refused():
    with pytest.raises(ValueError, match="unknown grader type 'label_model'.*known: string_check"):
        check_grader({"type": "label_model", "name": "x"}, allow_code=False)
