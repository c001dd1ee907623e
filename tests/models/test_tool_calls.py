"""The fallback tool format, native templates, and reading calls back out of a model's reply."""

import json

import pytest

from tunesmith.models.tool_calls import (
    ToolFormatError,
    as_text,
    for_template,
    normalize_tools,
    parse_tool_calls,
    supports_tools,
    tool_call,
)

WEATHER = {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}


def test_parse_hermes_blocks_with_leading_text():
    text = 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    content, calls = parse_tool_calls(text)
    assert content == "Let me check."
    assert calls[0]["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}


def test_parse_several_calls_and_an_unclosed_last_one():
    text = (
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>\n'
        '<tool_call>{"name": "b", "arguments": {"x": 1}}'  # cut before its closing tag
    )
    assert [c["function"]["name"] for c in parse_tool_calls(text)[1]] == ["a", "b"]


def test_parse_bare_json_and_glaive():
    assert parse_tool_calls('{"name": "a", "arguments": {"k": "v"}}')[1][0]["function"]["name"] == "a"
    content, calls = parse_tool_calls('<functioncall> {"name": "b", "arguments": {}}')
    assert content == "" and calls[0]["function"]["name"] == "b"


@pytest.mark.parametrize(
    "text",
    ["The answer is 4.", '{"answer": 4}', "<tool_call>not json</tool_call>", '<tool_call>{"arguments": {}}'],
)
def test_text_that_is_not_a_call_stays_content(text):
    assert parse_tool_calls(text) == (text, [])


def test_normalize_tools_wraps_bare_schemas_and_reads_json_text():
    assert normalize_tools(json.dumps([WEATHER])) == [{"type": "function", "function": WEATHER}]
    assert normalize_tools("[]") == []
    with pytest.raises(ToolFormatError, match=r"\[0\] must be a function schema with a 'name'"):
        normalize_tools([{"description": "no name"}])


def test_as_text_lists_tools_in_the_system_turn_and_wraps_results():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [tool_call("get_weather", {"city": "Paris"})]},
        {"role": "tool", "content": "21C", "tool_call_id": "c1"},
    ]
    turns = as_text(messages, [{"type": "function", "function": WEATHER}])
    assert turns[0]["content"].startswith("Be brief.\n\n# Tools") and '"get_weather"' in turns[0]["content"]
    assert turns[2]["content"] == '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    assert turns[3] == {"role": "user", "content": "<tool_response>\n21C\n</tool_response>"}


def test_native_templates_get_arguments_as_dicts():
    template = "{% for m in messages %}{{ m.tool_calls }}{% endfor %}{{ tools }}"
    assert supports_tools(template) and not supports_tools("{{ messages }}")
    messages = [{"role": "assistant", "content": "", "tool_calls": [tool_call("f", '{"a": 1}')]}]
    native, tools = for_template(messages, [{"type": "function", "function": {"name": "f"}}], template)
    assert native[0]["tool_calls"][0]["function"]["arguments"] == {"a": 1}
    assert tools[0]["function"]["name"] == "f"
    plain, none = for_template([{"role": "user", "content": "hi"}], None, template)
    assert plain == [{"role": "user", "content": "hi"}] and none is None
