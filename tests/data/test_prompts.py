"""Prompts for online RL: OpenAI's reinforcement files (no answer, item fields as columns) and chat with a reply."""

from __future__ import annotations

import pytest

from tests.conftest import write_jsonl
from tunesmith.data.formats import FormatOptions
from tunesmith.data.prompts import prompt_dataset
from tunesmith.errors import InputError

SYSTEM = {"role": "system", "content": "Answer in one word."}


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def bot(text: str) -> dict:
    return {"role": "assistant", "content": text}


def prompts(tmp_path, rows, columns=(), fmt="auto"):
    return prompt_dataset(write_jsonl(tmp_path / "p.jsonl", rows), fmt, FormatOptions(), list(columns))


def test_reinforcement_records_are_all_prompt_and_keep_the_item_fields(tmp_path):
    rows = [
        {"messages": [SYSTEM, user("Capital of France?")], "reference_answer": "Paris", "level": 1},
        {"messages": [user("Hi"), bot("Hello!"), user("Capital of Peru?")], "reference_answer": "Lima", "level": 2},
        {"messages": [{"role": "developer", "content": "Say 4."}], "reference_answer": "4", "level": 3},
    ]
    data = prompts(tmp_path, rows, ["reference_answer", "level"])
    assert data.column_names == ["prompt", "reference_answer", "level"]
    assert data[0] == {"prompt": [SYSTEM, user("Capital of France?")], "reference_answer": "Paris", "level": "1"}
    assert data[1]["prompt"] == [user("Hi"), bot("Hello!"), user("Capital of Peru?")]  # the whole conversation so far
    assert data[2]["prompt"] == [{"role": "system", "content": "Say 4."}]


def test_chat_records_with_a_reply_still_give_the_reply_as_answer(tmp_path):
    # As before: the prompt is every turn before the last assistant turn, whose text (even empty) is the answer.
    rows = [{"messages": [SYSTEM, user("2+2?"), bot("4"), user("thanks"), bot("")]}]
    assert prompts(tmp_path, rows, ["answer"])[0] == {
        "prompt": [SYSTEM, user("2+2?"), bot("4"), user("thanks")],
        "answer": "",
    }
    sharegpt = [{"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]}]
    assert prompts(tmp_path, sharegpt, ["answer"])[0] == {"prompt": [user("2+2?")], "answer": "4"}


def test_a_reward_column_a_prompt_lacks_is_named(tmp_path):
    rows = [{"messages": [user("Capital of France?")], "reference_answer": "Paris"}, {"messages": [user("Hi")]}]
    with pytest.raises(InputError) as err:
        prompts(tmp_path, rows, ["reference_answer"])
    assert err.value.where.endswith(":2") and err.value.message.startswith("field 'reference_answer' is missing")
    with pytest.raises(InputError, match="field 'answer' is missing"):
        prompts(tmp_path, rows, ["answer"])  # a prompt to answer has no reference answer of its own
