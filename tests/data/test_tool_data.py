"""Tool-use data: every common shape read into TRL/OpenAI's canonical form, nothing dropped, trained as it should be."""

import json

import pytest

from tests.conftest import write_jsonl
from tunesmith.data.loading import convert_file, load_messages, to_dataset
from tunesmith.errors import InputError
from tunesmith.models.templates import assistant_token_mask, training_template

AREA = {
    "name": "calculate_area",
    "description": "Calculate the area of a shape",
    "parameters": {
        "type": "object",
        "properties": {"shape": {"type": "string"}, "dimensions": {"type": "array", "items": {"type": "number"}}},
        "required": ["shape", "dimensions"],
    },
}
CALL = {"name": "calculate_area", "arguments": {"shape": "circle", "dimensions": [4]}}


def glaive_record() -> dict:
    """LLaMA-Factory's glaive_toolcall demo shape: ShareGPT with `tools` as JSON text and function_call turns."""
    return {
        "conversations": [
            {"from": "human", "value": "Area of a circle of radius 4?"},
            {"from": "function_call", "value": json.dumps(CALL)},
            {"from": "observation", "value": '{"area": 50.24}'},
            {"from": "gpt", "value": "About 50.24 square units."},
        ],
        "tools": json.dumps([AREA]),
        "id": "glaive-7",
    }


def test_sharegpt_tools_and_function_calls_become_canonical(tmp_path):
    fmt, rows = load_messages(write_jsonl(tmp_path / "glaive.jsonl", [glaive_record()]))
    assert fmt == "sharegpt"
    row = rows[0]
    assert row["tools"] == [{"type": "function", "function": AREA}]
    call = row["messages"][1]
    assert call["role"] == "assistant" and call["content"] == ""
    assert json.loads(call["tool_calls"][0]["function"]["arguments"]) == CALL["arguments"]
    assert call["tool_calls"][0]["function"]["name"] == "calculate_area"
    assert row["messages"][2]["role"] == "tool"
    assert row["meta"] == {"id": "glaive-7"}  # a key the format does not read is kept, not dropped


def test_openai_tools_tool_calls_and_results(tmp_path):
    record = {
        "tools": [{"type": "function", "function": AREA}],
        "messages": [
            {"role": "user", "content": "Area of a circle of radius 4?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "calculate_area", "arguments": json.dumps(CALL["arguments"])},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"area": 50.24}'},
            {"role": "assistant", "content": "About 50.24."},
        ],
    }
    _, rows = load_messages(write_jsonl(tmp_path / "oai.jsonl", [record]))
    messages = rows[0]["messages"]
    assert messages[1]["tool_calls"][0]["id"] == "call_1"
    assert messages[2]["tool_call_id"] == "call_1"
    dataset = to_dataset(rows)
    assert json.loads(dataset[0]["tools"]) == record["tools"]
    assert dataset[0]["messages"][1]["tool_calls"][0]["function"]["name"] == "calculate_area"


def test_old_function_calling_and_hermes_text_are_read_as_calls(tmp_path):
    records = [
        {
            "functions": [AREA],
            "messages": [
                {"role": "user", "content": "radius 4?"},
                {"role": "assistant", "content": None, "function_call": CALL},
                {"role": "function", "name": "calculate_area", "content": "50.24"},
                {"role": "assistant", "content": "50.24"},
            ],
        },
        {
            "tools": [AREA],
            "messages": [
                {"role": "user", "content": "radius 4?"},
                {"role": "assistant", "content": f"<tool_call>\n{json.dumps(CALL)}\n</tool_call>"},
            ],
        },
    ]
    _, rows = load_messages(write_jsonl(tmp_path / "old.jsonl", records))
    for row in rows:
        assert row["messages"][1]["tool_calls"][0]["function"]["name"] == "calculate_area"
    assert rows[0]["messages"][2] == {"role": "tool", "content": "50.24", "name": "calculate_area"}
    assert rows[1]["messages"][1]["content"] == ""


def test_round_trip_through_sharegpt_keeps_tools_calls_and_meta(tmp_path):
    src = write_jsonl(tmp_path / "glaive.jsonl", [glaive_record()])
    convert_file(src, tmp_path / "oai.jsonl", "openai")
    convert_file(tmp_path / "oai.jsonl", tmp_path / "back.jsonl", "sharegpt")
    back = json.loads((tmp_path / "back.jsonl").read_text())
    assert back["conversations"] == glaive_record()["conversations"]
    assert json.loads(back["tools"]) == [{"type": "function", "function": AREA}]
    assert back["meta"] == {"id": "glaive-7"}


def test_alpaca_cannot_hold_tools(tmp_path):
    src = write_jsonl(tmp_path / "glaive.jsonl", [glaive_record()])
    with pytest.raises(InputError, match="alpaca cannot hold"):
        convert_file(src, tmp_path / "out.jsonl", "alpaca")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_record_weight_is_refused_not_ignored(tmp_path):
    record = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "weight": 0.5}
    with pytest.raises(InputError, match=r"rows.jsonl:1: field 'weight': a per-record weight is not supported"):
        load_messages(write_jsonl(tmp_path / "rows.jsonl", [record]))


def test_bad_function_call_names_the_turn(tmp_path):
    record = glaive_record()
    record["conversations"][1]["value"] = "calculate_area(circle)"
    with pytest.raises(InputError, match=r"field 'conversations\[1\].value' is not a function call"):
        load_messages(write_jsonl(tmp_path / "bad.jsonl", [record]))


def test_fallback_format_trains_the_call_and_answer_not_the_tool_result(tmp_path, smol_tokenizer):
    _, rows = load_messages(write_jsonl(tmp_path / "glaive.jsonl", [glaive_record()]))
    template = training_template(smol_tokenizer)
    ids, mask = assistant_token_mask(smol_tokenizer, rows[0]["messages"], template, rows[0]["tools"])
    trained = smol_tokenizer.decode([i for i, m in zip(ids, mask) if m])
    untrained = smol_tokenizer.decode([i for i, m in zip(ids, mask) if not m])
    assert '<tool_call>\n{"name": "calculate_area", "arguments": {"shape": "circle", "dimensions": [4]}}' in trained
    assert "About 50.24 square units." in trained
    assert "<tool_response>" in untrained and '{"area": 50.24}' in untrained and "<tools>" in untrained
    assert '{"area": 50.24}' not in trained


def test_inspect_lists_the_keys_it_read_and_kept(tmp_path, smol_tokenizer):
    from tunesmith.data.inspect import inspect_file

    found = inspect_file(write_jsonl(tmp_path / "glaive.jsonl", [glaive_record()]), smol_tokenizer)
    assert found.keys == {"read": ["conversations", "tools"], "kept in meta": ["id"]}
    assert found.turns == {"user": 1, "assistant": 2, "tool": 1}
