"""Format detection and conversion to and from canonical messages, including every error a user can hit."""

import pytest

from tunesmith.data.formats import FORMATS, FormatOptions, detect_format, from_messages, to_messages
from tunesmith.errors import InputError

W = "data.jsonl:3"
NO_OPTIONS = FormatOptions()
CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello."},
    {"role": "user", "content": "Capital of France?"},
    {"role": "assistant", "content": "Paris."},
]
EXAMPLES = {
    "openai": {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
    "sharegpt": {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]},
    "alpaca": {"instruction": "q", "input": "", "output": "a"},
    "dolly": {"instruction": "q", "context": "", "response": "a", "category": "open_qa"},
    "prompt_completion": {"prompt": "q", "completion": "a"},
}


def convert(record: dict, fmt: str, options: FormatOptions = NO_OPTIONS) -> list[dict]:
    """Canonical messages of one record."""
    return to_messages(record, W, fmt, options)


def error_of(record: dict, fmt: str, options: FormatOptions = NO_OPTIONS) -> str:
    """The message of the InputError converting `record` raises."""
    with pytest.raises(InputError) as info:
        convert(record, fmt, options)
    return str(info.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_detected_and_gives_one_exchange(fmt):
    records = [(f"f:{i}", EXAMPLES[fmt]) for i in range(3)]
    assert detect_format(records, NO_OPTIONS) == fmt
    assert convert(EXAMPLES[fmt], fmt) == [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]


def test_detection_applies_the_column_mapping():
    options = FormatOptions(columns={"instruction": "question", "output": "answer"})
    record = {"question": "2+2?", "answer": "4"}
    assert detect_format([("f:1", record)], options) == "alpaca"
    assert convert(record, "alpaca", options) == [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4"},
    ]


def test_errors_name_the_users_column():
    options = FormatOptions(columns={"instruction": "question", "output": "answer"})
    assert error_of({"question": "q", "answer": 4}, "alpaca", options) == (
        f"{W}: field 'answer' must be a string, got int"
    )


def test_undetectable_record_names_location_keys_and_known_formats():
    records = [("data.jsonl:1", {"question": "q", "answer": "a"}), ("data.jsonl:2", EXAMPLES["alpaca"])]
    with pytest.raises(InputError) as info:
        detect_format(records, NO_OPTIONS)
    message = str(info.value)
    assert message.startswith("data.jsonl:1: cannot tell the data format from keys ['answer', 'question']")
    assert "openai (messages)" in message and "alpaca (instruction, output)" in message
    assert "prompt_completion (prompt, completion)" in message


def test_mixed_formats_are_reported():
    records = [("f:1", EXAMPLES["openai"]), ("f:2", EXAMPLES["openai"]), ("f:3", EXAMPLES["dolly"])]
    with pytest.raises(InputError, match=r"^f:3: record looks like dolly but f:1 looks like openai"):
        detect_format(records, NO_OPTIONS)


def test_openai_keeps_weights_and_joins_text_parts():
    record = {
        "messages": [
            {"role": "developer", "content": "Be kind."},
            {"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]},
            {"role": "assistant", "content": "draft", "weight": 0},
            {"role": "user", "content": "again"},
            {"role": "assistant", "content": "final", "weight": 1},
            {"role": "assistant", "content": "plain"},
        ]
    }
    assert convert(record, "openai") == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "Hello there"},
        {"role": "assistant", "content": "draft", "weight": 0},
        {"role": "user", "content": "again"},
        {"role": "assistant", "content": "final", "weight": 1},
        {"role": "assistant", "content": "plain"},
    ]


USER = {"role": "user", "content": "q"}
ASSISTANT = {"role": "assistant", "content": "a"}


@pytest.mark.parametrize(
    "messages,expected",
    [
        ([USER, {**ASSISTANT, "content": 5}], "field 'messages[1].content' must be a string, got int"),
        ([USER, {"role": "assistant"}], "field 'messages[1].content' must be a string, got null"),
        ([{**USER, "role": "bot"}], "field 'messages[0].role' must be one of system, user, assistant, tool, got 'bot'"),
        (["hi"], "field 'messages[0]' must be an object with role and content, got str"),
        ([{**USER, "weight": 1}], "field 'messages[0].weight' is set on a user turn; expected weights on assistant"),
        ([{**ASSISTANT, "weight": 2}], "field 'messages[0].weight' must be 0 or 1, got 2"),
        ([{**USER, "content": [{"type": "image_url"}]}], "field 'messages[0].content[0]' is a 'image_url' part"),
        ([USER], "record has no assistant reply; expected an assistant message"),
        ([USER, {**ASSISTANT, "content": "  "}], "record has no assistant reply"),
        ([USER, {**ASSISTANT, "weight": 0}], "record has no assistant reply"),
    ],
)
def test_openai_errors_name_location_and_field(messages, expected):
    assert error_of({"messages": messages}, "openai").startswith(f"{W}: {expected}")


def test_openai_messages_must_be_a_list():
    assert error_of({"messages": {"role": "user"}}, "openai") == f"{W}: field 'messages' must be a list, got dict"


def test_alpaca_with_system_history_and_input():
    record = {
        "system": "Be brief.",
        "history": [["Hi", "Hello."]],
        "instruction": "Capital of this country?",
        "input": "France",
        "output": "Paris.",
    }
    assert convert(record, "alpaca") == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "Capital of this country?\n\nFrance"},
        {"role": "assistant", "content": "Paris."},
    ]


def test_alpaca_history_as_json_text_from_csv():
    record = {"instruction": "q", "input": "", "output": "a", "system": "", "history": '[["h", "g"]]'}
    assert [m["content"] for m in convert(record, "alpaca")] == ["h", "g", "q", "a"]


@pytest.mark.parametrize(
    "record,expected",
    [
        ({"instruction": "q"}, "field 'output' is missing; expected a string"),
        ({"instruction": "q", "output": ""}, "record has no assistant reply; expected a non-empty 'output'"),
        (
            {"instruction": "q", "output": "a", "history": [["only one"]]},
            "field 'history[0]' must be a [user, assistant] pair, got 1 items",
        ),
        ({"instruction": "q", "output": "a", "history": [["u", 7]]}, "field 'history[0][1]' must be a string, got int"),
        ({"instruction": "q", "output": "a", "input": ["x"]}, "field 'input' must be a string, got list"),
    ],
)
def test_alpaca_errors(record, expected):
    assert error_of(record, "alpaca") == f"{W}: {expected}"


def test_sharegpt_tool_turns_and_system():
    record = {
        "system": "You can call tools.",
        "conversations": [
            {"from": "human", "value": "Weather in Paris?"},
            {"from": "function_call", "value": '{"name": "weather", "arguments": {"city": "Paris"}}'},
            {"from": "observation", "value": '{"temp": 21}'},
            {"from": "gpt", "value": "21 degrees."},
        ],
    }
    messages = convert(record, "sharegpt")
    assert messages[2]["tool_calls"] == [
        {"id": None, "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}
    ]
    assert [(m["role"], m["content"][:7]) for m in messages] == [
        ("system", "You can"),
        ("user", "Weather"),
        ("assistant", ""),
        ("tool", '{"temp"'),
        ("assistant", "21 degr"),
    ]


def test_sharegpt_role_content_variant_and_weight():
    record = {
        "conversations": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": "q"},
            {"role": "model", "content": "a", "weight": 1},
        ]
    }
    assert convert(record, "sharegpt") == [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a", "weight": 1},
    ]


def test_sharegpt_errors():
    bad_speaker = {"conversations": [{"from": "human", "value": "q"}, {"from": "bot", "value": "a"}]}
    assert error_of(bad_speaker, "sharegpt").startswith(f"{W}: field 'conversations[1].from' must be one of human,")
    bad_value = {"conversations": [{"from": "human", "value": None}, {"from": "gpt", "value": "a"}]}
    assert error_of(bad_value, "sharegpt") == f"{W}: field 'conversations[0].value' must be a string, got null"
    only_human = {"conversations": [{"from": "human", "value": "q"}]}
    assert error_of(only_human, "sharegpt").startswith(f"{W}: record has no assistant reply")


def test_dolly_joins_context_and_ignores_category():
    record = {"instruction": "Summarise.", "context": "A long text.", "response": "Short.", "category": "summarization"}
    assert convert(record, "dolly") == [
        {"role": "user", "content": "Summarise.\n\nA long text."},
        {"role": "assistant", "content": "Short."},
    ]
    assert error_of({"instruction": "q", "response": ""}, "dolly").startswith(f"{W}: record has no assistant reply")


def test_prompt_completion_strips_separator_and_stop_only_at_the_end():
    options = FormatOptions(separator="\n\n###\n\n", stop=" END")
    record = {"prompt": "Tweet: I love it\n\n###\n\nSentiment:\n\n###\n\n", "completion": " positive END"}
    assert convert(record, "prompt_completion", options) == [
        {"role": "user", "content": "Tweet: I love it\n\n###\n\nSentiment:"},
        {"role": "assistant", "content": " positive"},
    ]
    untouched = {"prompt": "no marker", "completion": "no stop"}
    assert [m["content"] for m in convert(untouched, "prompt_completion", options)] == ["no marker", "no stop"]


def test_prompt_completion_errors():
    assert error_of({"prompt": "q", "completion": 1}, "prompt_completion") == (
        f"{W}: field 'completion' must be a string, got int"
    )
    only_stop = {"prompt": "q", "completion": " END"}
    assert "no assistant reply" in error_of(only_stop, "prompt_completion", FormatOptions(stop=" END"))


def test_from_messages_to_alpaca_and_sharegpt():
    assert from_messages(CHAT, "alpaca") == {
        "instruction": "Capital of France?",
        "input": "",
        "output": "Paris.",
        "system": "Be brief.",
        "history": [["Hi", "Hello."]],
    }
    assert from_messages(CHAT[:3], "sharegpt") == {
        "conversations": [
            {"from": "system", "value": "Be brief."},
            {"from": "human", "value": "Hi"},
            {"from": "gpt", "value": "Hello."},
        ]
    }


def test_round_trip_through_alpaca_preserves_messages():
    record = from_messages(CHAT, "openai")
    alpaca = from_messages(convert(record, "openai"), "alpaca")
    assert convert(from_messages(convert(alpaca, "alpaca"), "openai"), "openai") == CHAT


def test_round_trip_through_sharegpt_preserves_messages_tools_and_weights():
    chat = [
        *CHAT[:2],
        {"role": "assistant", "content": "calling", "weight": 0},
        {"role": "tool", "content": "{}"},
        {"role": "assistant", "content": "done", "weight": 1},
    ]
    sharegpt = from_messages(convert({"messages": chat}, "openai"), "sharegpt")
    assert convert(from_messages(convert(sharegpt, "sharegpt"), "openai"), "openai") == chat


@pytest.mark.parametrize(
    "messages,expected",
    [
        ([*CHAT[:2], {"role": "tool", "content": "{}"}, CHAT[2]], "cannot hold tool calls or results"),
        (CHAT[1:4], "alternating user/assistant"),
        ([CHAT[1], {"role": "assistant", "content": "a", "weight": 0}, *CHAT[3:]], "weight 0"),
    ],
)
def test_alpaca_cannot_hold_every_conversation(messages, expected):
    with pytest.raises(ValueError, match=expected):
        from_messages(messages, "alpaca")


def test_from_messages_only_to_writable_formats():
    with pytest.raises(ValueError, match="expected one of openai, alpaca, sharegpt"):
        from_messages(CHAT, "dolly")
