"""A `json_schema` reply cut by `max_tokens` says so (`finish_reason: length`): only a complete reply parses."""

from __future__ import annotations

import json

import pytest

from tests.serve.test_openai_client import PERSON, QUESTION


@pytest.mark.parametrize("stream", [False, True])
def test_a_reply_cut_by_max_tokens_has_finish_reason_length(client, stream):
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON, "strict": True}}
    args = dict(model="beta", messages=QUESTION, max_tokens=4, temperature=0, response_format=fmt)
    if stream:
        chunks = list(client.chat.completions.create(**args, stream=True))
        content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        assert finish == ["length"]
    else:
        reply = client.chat.completions.create(**args)
        content, finish = reply.choices[0].message.content, reply.choices[0].finish_reason
        assert finish == "length"
    assert content.startswith("{")  # the start of a valid object, but not a whole one
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)
