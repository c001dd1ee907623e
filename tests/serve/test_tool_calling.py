"""Tool calling over the API: the official openai client's tool loop, whole and streamed, and required calls.

A scripted backend plays a model that calls `get_weather` until it has a result, then answers; the real
transformers backend on the tiny random model shows that a required call always parses and fits the schema.
"""

from __future__ import annotations

import json

import pytest

from tests.serve.live import LiveServer
from tunesmith.serve.app import create_app
from tunesmith.serve.backends.base import Backend, Delta, Finish, Generation, GenerationRequest, ModelInfo
from tunesmith.serve.store import Store

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 12}, "unit": {"enum": ["C", "F"]}},
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]


class ToolBackend(Backend):
    """Calls get_weather (after a sentence) until a tool result is in the conversation, then answers with it.

    It records what it was asked, so tests can check what reached the model."""

    def __init__(self):
        self.requests: list[GenerationRequest] = []

    def models(self) -> list[ModelInfo]:
        return [ModelInfo("tooly")]

    def submit(self, request: GenerationRequest) -> Generation:
        self.requests.append(request)
        last = request.messages[-1]
        if last["role"] == "tool":
            text = f"It is {json.loads(last['content'])['temp']} degrees in Paris."
        else:
            text = 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "C"}}'
            text += "\n</tool_call>"
        generation = Generation(request.n, prompt_tokens=3)
        for i in range(0, len(text), 5):  # small pieces, so a stream splits the call markers
            generation.push(Delta(0, text[i : i + 5]))
        generation.push(Finish(0, "stop", len(text) // 4))
        return generation


@pytest.fixture
def tool_server(tmp_path):
    from openai import OpenAI

    backend, store = ToolBackend(), Store(tmp_path / "logs.db")
    with LiveServer(create_app(backend, store)) as live:
        yield OpenAI(base_url=live.base_url, api_key="none", max_retries=0, timeout=30), backend
    store.close()


def run_tool(call) -> str:
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris", "unit": "C"}
    return json.dumps({"temp": 21})


def test_the_openai_clients_two_turn_tool_loop_works_unchanged(tool_server):
    client, backend = tool_server
    messages = list(QUESTION)
    first = client.chat.completions.create(model="tooly", messages=messages, tools=[WEATHER])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Let me check."
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_") and call.type == "function"
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": run_tool(call)})
    second = client.chat.completions.create(model="tooly", messages=messages, tools=[WEATHER])
    assert second.choices[0].message.content == "It is 21 degrees in Paris."
    assert second.choices[0].message.tool_calls is None and second.choices[0].finish_reason == "stop"
    asked = backend.requests[-1]
    assert asked.tools == [WEATHER]
    assert asked.messages[1]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert asked.messages[2] == {"role": "tool", "content": '{"temp": 21}', "tool_call_id": call.id}


def test_a_streamed_tool_call_arrives_whole_after_the_content(tool_server):
    client, _ = tool_server
    chunks = list(client.chat.completions.create(model="tooly", messages=QUESTION, tools=[WEATHER], stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    calls = [call for c in chunks if c.choices for call in c.choices[0].delta.tool_calls or []]
    assert content == "Let me check."
    assert "<tool" not in content
    assert [call.function.name for call in calls] == ["get_weather"]
    assert json.loads(calls[0].function.arguments) == {"city": "Paris", "unit": "C"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_without_tools_or_with_tool_choice_none_the_reply_is_text(tool_server):
    client, backend = tool_server
    for extra in ({}, {"tools": [WEATHER], "tool_choice": "none"}):
        reply = client.chat.completions.create(model="tooly", messages=QUESTION, **extra)
        assert reply.choices[0].message.tool_calls is None
        assert "<tool_call>" in reply.choices[0].message.content
        assert backend.requests[-1].tools is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"tool_choice": "required"}, "tool_choice needs tools"),
        ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "'nope'"),
        ({"tools": [WEATHER, WEATHER]}, "its own function name"),
        (
            {"tools": [WEATHER], "tool_choice": "required", "response_format": {"type": "json_object"}},
            "not both",
        ),
    ],
)
def test_bad_tool_requests_are_400s_naming_the_problem(tool_server, extra, message):
    import openai

    client, _ = tool_server
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="tooly", messages=QUESTION, **extra)
    assert message in err.value.body["message"]


@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "get_weather"}}])
def test_a_required_call_from_a_random_model_parses_and_fits_the_schema(client, served, choice):
    """The tiny model's weights are random: only constrained decoding can make its reply a valid call."""
    reply = client.chat.completions.create(
        model=served.base_name, messages=QUESTION, tools=[WEATHER], tool_choice=choice, max_tokens=64, temperature=0
    )
    assert reply.choices[0].finish_reason == "tool_calls", reply.choices[0]
    (call,) = reply.choices[0].message.tool_calls
    arguments = json.loads(call.function.arguments)
    assert call.function.name == "get_weather"
    assert set(arguments) == {"city", "unit"} and arguments["unit"] in ("C", "F") and len(arguments["city"]) <= 12
