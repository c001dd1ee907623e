"""Online RL stages (grpo, rloo) train the tiny model from rule rewards, a reward model, and an LLM judge."""

from __future__ import annotations

import math
import statistics

import pytest
from safetensors.torch import load_file

from tests.conftest import QUESTIONS, write_jsonl
from tests.data.fake_openai import FakeOpenAI
from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.metrics import reward_curve
from tunesmith.train.run import train
from tunesmith.train.setup import load_stage_data

FAST = {
    "max_steps": 2,
    "batch_size": 8,
    "logging_steps": 1,
    "precision": "fp32",
    "learning_rate": 1e-2,
    "warmup_ratio": 0.0,
}
GENERATE = {"num_generations": 4, "max_completion_length": 8}


@pytest.fixture
def prompts_file(tmp_path):
    rows = [{"prompt": f"Reply with a JSON object about item {i}.", "answer": str(i)} for i in range(8)]
    return write_jsonl(tmp_path / "prompts.jsonl", rows)


def online_recipe(make_recipe, data_file, stage: dict, name: str = "tiny", **train):
    data = {"train": str(data_file), "validation_split": 0}
    return make_recipe(data=data, stage=stage, train={**FAST, **train}, output={"name": name})


def reward_rows(run: RunDir) -> list[dict]:
    return [r for r in read_jsonl(run.metrics) if "reward" in r]


def assert_trained_adapter(run: RunDir) -> None:
    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    assert any(v.abs().sum() > 0 for k, v in adapter.items() if "lora_B" in k)
    assert not (run.final / "ref").exists()


def test_grpo_with_rule_rewards_logs_the_mean_reward_per_step(make_recipe, prompts_file):
    rewards = [{"name": "json_valid"}, {"name": "length", "target": 200, "unit": "chars", "weight": 0.5}]
    recipe = online_recipe(make_recipe, prompts_file, {"name": "grpo", "rewards": rewards, **GENERATE})
    result = train(recipe)
    run = RunDir(recipe.run_dir)
    rows = reward_rows(run)
    assert result.steps == 2 and reward_curve(read_jsonl(run.metrics)) == [(r["step"], r["reward"]) for r in rows]
    assert [r["step"] for r in rows] == [1, 2]  # a point per step: the reward curve
    for row in rows:
        assert 0.0 <= row["rewards/json_valid/mean"] <= 1.0 and 0.0 <= row["rewards/length/mean"] <= 1.0
        expected = row["rewards/json_valid/mean"] + 0.5 * row["rewards/length/mean"]  # weighted sum of the rewards
        assert row["reward"] == pytest.approx(expected, abs=1e-5)
        assert math.isfinite(row["loss"])
    assert_trained_adapter(run)


def test_rloo_on_chat_data_rewards_the_reference_answer(make_recipe, chat_file):
    # Chat records give their turns before the last reply as the prompt, and the reply as the `answer` column.
    rewards = [{"name": "exact_answer"}, {"name": "length", "target": 200, "unit": "chars"}]
    recipe = online_recipe(make_recipe, chat_file, {"name": "rloo", "rewards": rewards, **GENERATE})
    train(recipe)
    run = RunDir(recipe.run_dir)
    rows = reward_rows(run)
    assert [r["step"] for r in rows] == [1, 2]
    assert all(r["rewards/exact_answer/mean"] == 0.0 for r in rows)  # a random tiny model never says "Paris."
    assert all("kl" in r and math.isfinite(r["loss"]) for r in rows)  # beta 0.05: scored against the start
    assert_trained_adapter(run)


def test_prompt_data_keeps_the_columns_rewards_read(tmp_path, chat_file):
    recipe = validate_recipe(
        {
            "data": {"train": str(chat_file), "validation_split": 0},
            "stage": {"name": "grpo", "rewards": [{"name": "exact_answer"}]},
        }
    )
    train_ds, validation = load_stage_data(recipe)
    assert validation is None and train_ds.column_names == ["prompt", "answer"]
    assert train_ds[0] == {"prompt": [{"role": "user", "content": QUESTIONS[0][0]}], "answer": QUESTIONS[0][1]}

    pairs = [{"conversations": [{"from": "human", "value": "2+2?"}], "chosen": {"from": "gpt", "value": "4"}}]
    pairs[0]["rejected"] = {"from": "gpt", "value": "5"}
    from_pairs = recipe.data.model_copy(update={"train": write_jsonl(tmp_path / "pairs.jsonl", pairs)})
    train_ds, _ = load_stage_data(recipe.model_copy(update={"data": from_pairs}))
    assert train_ds[0] == {"prompt": [{"role": "user", "content": "2+2?"}], "answer": "4"}  # the chosen reply

    missing = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "a", "answer": "1"}, {"prompt": "b"}])
    with pytest.raises(InputError) as err:
        load_stage_data(recipe.model_copy(update={"data": recipe.data.model_copy(update={"train": missing})}))
    assert err.value.where == f"{missing}:2" and err.value.message.startswith("field 'answer' is missing")


def test_batch_must_hold_whole_groups_of_generations(make_recipe, prompts_file):
    recipe = online_recipe(make_recipe, prompts_file, {"name": "grpo", "rewards": ["json_valid"], "num_generations": 3})
    with pytest.raises(
        InputError, match=r"batch_size × train.gradient_accumulation \(8\) must be a multiple of num_generations \(3\)"
    ):
        train(recipe)
    assert not RunDir(recipe.run_dir).root.exists()


def judge_score(body: dict) -> str:
    """The fake judge: a score from the length of the response it was asked about (deterministic)."""
    response = body["messages"][-1]["content"].split("Response:\n", 1)[1]
    return f"Score: {len(response) % 11}"


def test_grpo_with_an_llm_judge_on_a_fake_openai_server(make_recipe, prompts_file, monkeypatch):
    monkeypatch.setenv("JUDGE_KEY", "sekret")
    with FakeOpenAI(judge_score) as server:
        judge = {"name": "judge", "base_url": server.base_url, "model": "judge-1", "api_key_env": "JUDGE_KEY"}
        recipe = online_recipe(make_recipe, prompts_file, {"name": "grpo", "rewards": [judge], **GENERATE})
        train(recipe)
    rows = reward_rows(RunDir(recipe.run_dir))
    assert [r["step"] for r in rows] == [1, 2]
    assert len(server.requests) == 16  # 2 steps × 8 completions, one judge call each
    first = server.requests[0]
    assert first.headers["authorization"] == "Bearer sekret" and first.body["model"] == "judge-1"
    assert first.prompt.startswith("Rate how well the response answers the request")
    assert "Reply with a JSON object about item" in first.prompt
    for step, row in enumerate(rows):
        scores = [int(judge_score(r.body).split()[-1]) / 10 for r in server.requests[8 * step : 8 * step + 8]]
        assert row["rewards/judge/mean"] == pytest.approx(statistics.fmean(scores), abs=1e-5)


def test_grpo_with_a_trained_reward_model(make_recipe, prompts_file, tmp_path):
    pairs = [{"prompt": f"Q{i}", "chosen": '{"ok": true}', "rejected": "not json"} for i in range(8)]
    pairs_file = write_jsonl(tmp_path / "pairs.jsonl", pairs)
    reward_recipe = make_recipe(
        data={"train": str(pairs_file), "validation_split": 0},
        stage="reward",
        method={"name": "full"},
        train={**FAST, "batch_size": 4, "learning_rate": 1e-3},
        output={"name": "rm"},
    )
    train(reward_recipe)
    rewards = [{"name": "reward_model", "model": str(reward_recipe.run_dir)}]
    recipe = online_recipe(make_recipe, prompts_file, {"name": "grpo", "rewards": rewards, **GENERATE}, max_steps=1)
    train(recipe)
    rows = reward_rows(RunDir(recipe.run_dir))
    assert len(rows) == 1 and math.isfinite(rows[0]["reward"])

    bad = [{"name": "reward_model", "model": str(recipe.run_dir)}]  # a grpo run is no reward model
    bad_recipe = online_recipe(make_recipe, prompts_file, {"name": "grpo", "rewards": bad, **GENERATE}, name="bad")
    with pytest.raises(InputError, match="is a run of stage grpo; expected a run of stage reward"):
        train(bad_recipe)
