"""Fine-tuning files checked as OpenAI checks them: counts and tokens for good files, line and field for bad ones."""

from __future__ import annotations

import json

import pytest
from jinja2 import TemplateError

from tests.jobs.conftest import chat_rows, dpo_rows, jsonl
from tunesmith.errors import InputError
from tunesmith.jobs.validate import FileStats, check_jsonl, check_training_file


def write(tmp_path, rows, name="f.jsonl"):
    path = tmp_path / name
    path.write_bytes(jsonl(rows))
    return path


def rl_rows(n=12):
    return [{"messages": r["messages"][:2], "reference_answer": r["messages"][2]["content"]} for r in chat_rows(n)]


def ids(tokenizer, turns, prompt=False):
    return len(
        tokenizer.apply_chat_template(turns, tokenize=True, return_dict=True, add_generation_prompt=prompt)["input_ids"]
    )


def check(tmp_path, tokenizer, method, rows, max_tokens=1024):
    return check_training_file(write(tmp_path, rows), method, tokenizer, max_tokens, "file-x")


def refused(tmp_path, tokenizer, method, rows, line, *fragments):
    """The file is refused; the error names file-x, `line` and every fragment (the field, what was expected)."""
    with pytest.raises(InputError) as caught:
        check(tmp_path, tokenizer, method, rows)
    assert caught.value.where == f"file-x: line {line}"
    for fragment in fragments:
        assert fragment in caught.value.message, caught.value.message


def test_upload_check_counts_examples_and_names_the_bad_line():
    assert check_jsonl(jsonl(chat_rows(3)) + b"\n", "a.jsonl") == 3
    with pytest.raises(InputError, match=r"a.jsonl: line 2: is not valid JSON \(.* at column \d+\); expected one JSON"):
        check_jsonl(b'{"messages": []}\n{"messages": [\n', "a.jsonl")
    with pytest.raises(InputError, match=r"line 1: is a JSON array; expected an object"):
        check_jsonl(b"[1, 2]\n", "a.jsonl")
    with pytest.raises(InputError, match=r"line 3: is a JSON number; expected an object"):
        check_jsonl(b"{}\n\n3\n", "a.jsonl")
    with pytest.raises(InputError, match=r"line 2: is not UTF-8 text \(byte 1\)"):
        check_jsonl(b"{}\n\xff\xfe\n", "a.jsonl")
    with pytest.raises(InputError, match="a.jsonl: has no examples; expected one JSON object per line"):
        check_jsonl(b"\n\n", "a.jsonl")


def test_upload_check_reads_lines_as_json_lines_do():
    # A byte-order mark, CRLF endings and a raw U+2028 inside a string (valid JSON) are all one example a line.
    data = b"\xef\xbb\xbf" + '{"a": 1}\r\n{"b": "x\u2028y"}\r\n'.encode()
    assert check_jsonl(data, "a.jsonl") == 2


@pytest.mark.parametrize("method", ["supervised", "dpo", "reinforcement"])
def test_good_files_pass_with_their_token_counts(tmp_path, smol_tokenizer, method):
    rows = {"supervised": chat_rows(12), "dpo": dpo_rows(12), "reinforcement": rl_rows(12)}[method]
    if method == "dpo":  # training renders the prompt with each reply
        sizes = [
            [ids(smol_tokenizer, r["input"]["messages"] + r[k]) for k in ("preferred_output", "non_preferred_output")]
            for r in rows
        ]
    else:  # a reinforcement prompt is rendered with the generation prompt the model answers after
        sizes = [[ids(smol_tokenizer, r["messages"], prompt=method == "reinforcement")] for r in rows]
    longest = max(max(s) for s in sizes)
    assert check(tmp_path, smol_tokenizer, method, rows) == FileStats(12, sum(map(sum, sizes)), longest, 0)


def test_openai_shapes_beyond_the_plain_one_pass(tmp_path, smol_tokenizer):
    rows = chat_rows(12)
    rows[0] = {
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
            {"role": "assistant", "content": "Hello", "weight": 0},
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": "4", "weight": 1},
        ],
        "tools": [],
        "parallel_tool_calls": False,
    }
    assert check(tmp_path, smol_tokenizer, "supervised", rows).examples == 12
    rows = dpo_rows(12)
    rows[0]["input"] = {**rows[0]["input"], "tools": [], "parallel_tool_calls": True}
    assert check(tmp_path, smol_tokenizer, "dpo", rows).examples == 12
    rows = rl_rows(12)
    rows[0] = {**rows[0], "messages": [{"role": "developer", "content": "Grade me."}], "task": {"id": 3}}
    assert check(tmp_path, smol_tokenizer, "reinforcement", rows).examples == 12


def test_long_examples_are_counted_not_refused(tmp_path, smol_tokenizer):
    assert check(tmp_path, smol_tokenizer, "supervised", chat_rows(12), max_tokens=20).too_long == 12
    rows = dpo_rows(12)
    rows[3]["non_preferred_output"] = [{"role": "assistant", "content": "no " * 200}]  # only the rejected is long
    stats = check(tmp_path, smol_tokenizer, "dpo", rows, max_tokens=100)
    assert stats.too_long == 1 and stats.longest > 200


def with_line_5(rows, record):
    return [*rows[:4], record, *rows[5:]]


@pytest.mark.parametrize(
    "record,fragments",
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, ["no assistant reply", "expected an assistant message"]),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, ["'messages[0].role'", "one of system, user"]),
        ({"messages": [{"role": "user", "content": None}]}, ["'messages[0].content' must be a string, got null"]),
        ({"messages": "hi"}, ["'messages' must be a list"]),
        ({"prompt": "hi", "completion": "x"}, ["'messages' is missing; expected a list"]),
        (dpo_rows(1)[0], ["has 'preferred_output', a DPO example", "or method dpo"]),
        ({"messages": [{"role": "user", "content": "q", "weight": 1}]}, ["'messages[0].weight'", "assistant turns"]),
        (
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": 2}]},
            ["'messages[1].weight' must be 0 or 1"],
        ),
        (
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": 0}]},
            ["no assistant reply"],
        ),
        ({**chat_rows(1)[0], "tools": [{"type": "function"}]}, ["field 'tools' [0] must be a function schema"]),
        ({**chat_rows(1)[0], "label": True}, ["field 'label' is not part of OpenAI's format"]),
        (
            {
                "messages": [
                    *chat_rows(1)[0]["messages"][:2],
                    {"role": "assistant", "content": None, "tool_calls": [{}]},
                ]
            },
            ["field 'messages[2].tool_calls' [0] must be"],
        ),
    ],
)
def test_each_kind_of_bad_supervised_example_names_line_and_field(tmp_path, smol_tokenizer, record, fragments):
    refused(tmp_path, smol_tokenizer, "supervised", with_line_5(chat_rows(12), record), 5, *fragments)


def dpo(**changes):
    return {**dpo_rows(1)[0], **changes}


@pytest.mark.parametrize(
    "record,fragments",
    [
        (dpo(preferred_output=[{"role": "assistant", "content": "x"}] * 2), ["'preferred_output'", "a list of 2"]),
        (dpo(non_preferred_output=None), ["'non_preferred_output' must be a list of one assistant message"]),
        (dpo(preferred_output="Blue."), ["'preferred_output'", "got str"]),
        (dpo(preferred_output=[{"role": "user", "content": "x"}]), ["'preferred_output' must end with an assistant"]),
        (dpo(input=None), ["field 'input' is missing", "'messages'"]),
        (dpo(input={"messages": [{"role": "assistant", "content": "x"}]}), ["'input.messages' must end with a user"]),
        (dpo(input={"messages": [{"role": "bot", "content": "x"}]}), ["'input.messages[0].role'"]),
        (dpo(non_preferred_output=dpo()["preferred_output"]), ["are identical", "two different replies"]),
        (dpo(input={"messages": [], "tools": [{"type": "function"}]}), ["field 'input.tools'", "not supported"]),
        (dpo(input={"messages": [], "temperature": 1}), ["field 'input.temperature' is not part of"]),
        (dpo(score=1), ["field 'score' is not part of"]),
        (chat_rows(1)[0], ["has 'messages', a supervised example", "input.messages, preferred_output"]),
    ],
)
def test_each_kind_of_bad_dpo_example_names_line_and_field(tmp_path, smol_tokenizer, record, fragments):
    refused(tmp_path, smol_tokenizer, "dpo", with_line_5(dpo_rows(12), record), 5, *fragments)


@pytest.mark.parametrize(
    "record,fragments",
    [
        (chat_rows(1)[0], ["field 'messages' ends with a 'assistant' turn", "ending with a user turn"]),
        ({"messages": [], "reference_answer": "x"}, ["field 'messages' ends with no turn"]),
        ({"reference_answer": "x"}, ["field 'messages' is missing"]),
        ({**rl_rows(1)[0], "tools": [{"type": "function"}]}, ["field 'tools'"]),
    ],
)
def test_each_kind_of_bad_reinforcement_example_names_line_and_field(tmp_path, smol_tokenizer, record, fragments):
    refused(tmp_path, smol_tokenizer, "reinforcement", with_line_5(rl_rows(12), record), 5, *fragments)


def test_fewer_than_ten_examples_are_refused(tmp_path, smol_tokenizer):
    with pytest.raises(InputError) as caught:
        check(tmp_path, smol_tokenizer, "supervised", chat_rows(9))
    assert caught.value.where == "file-x" and caught.value.message.startswith("has 9 examples; expected at least 10")
    assert check(tmp_path, smol_tokenizer, "supervised", chat_rows(10)).examples == 10


class RefusingTemplate:
    """A tokenizer whose chat template raises, as templates that take no system turn do."""

    chat_template = "{{ raise_exception('System role not supported') }}"

    def apply_chat_template(self, *args, **kwargs):
        raise TemplateError("System role not supported")


def test_a_conversation_the_chat_template_refuses_is_named(tmp_path):
    with pytest.raises(InputError, match=r"file-x: line 1: the model's chat template refuses .*System role not"):
        check(tmp_path, RefusingTemplate(), "supervised", chat_rows(12))


def test_an_unknown_method_is_a_programming_error(tmp_path, smol_tokenizer):
    with pytest.raises(ValueError, match="unknown method 'sft'"):
        check(tmp_path, smol_tokenizer, "sft", chat_rows(12))


def test_a_supervised_file_with_tools_and_tool_calls_is_accepted(tmp_path, smol_tokenizer):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}
    rows = [
        {
            "tools": tools,
            "messages": [
                {"role": "user", "content": f"Weather {i}?"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
            ],
        }
        for i in range(12)
    ]
    path = tmp_path / "tools.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    stats = check_training_file(path, "supervised", smol_tokenizer, 1024, "file-x")
    assert stats.examples == 12
    assert stats.longest > 150  # measured with the tools block and the call, as training renders them
