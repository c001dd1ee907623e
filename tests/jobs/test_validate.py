"""Fine-tuning files checked as OpenAI checks them: counts and tokens for good files, line and field for bad ones."""

from __future__ import annotations

import json

import pytest

from tests.jobs.conftest import chat_rows, dpo_rows, jsonl
from tunesmith.errors import InputError
from tunesmith.jobs.validate import check_jsonl, check_training_file


def write(tmp_path, rows, name="f.jsonl"):
    path = tmp_path / name
    path.write_bytes(jsonl(rows))
    return path


def rl_rows(n=12):
    return [{"messages": r["messages"][:2], "reference_answer": r["messages"][2]["content"]} for r in chat_rows(n)]


def test_upload_check_counts_examples_and_names_the_bad_line():
    assert check_jsonl(jsonl(chat_rows(3)) + b"\n", "a.jsonl") == 3
    with pytest.raises(InputError, match=r"a.jsonl: line 2: is not valid JSON"):
        check_jsonl(b'{"messages": []}\n{"messages": [\n', "a.jsonl")
    with pytest.raises(InputError, match=r"line 1: is a JSON array; expected an object"):
        check_jsonl(b"[1, 2]\n", "a.jsonl")
    with pytest.raises(InputError, match=r"line 2: is not UTF-8"):
        check_jsonl(b"{}\n\xff\xfe\n", "a.jsonl")
    with pytest.raises(InputError, match="no examples"):
        check_jsonl(b"\n\n", "a.jsonl")


@pytest.mark.parametrize(
    "method,rows", [("supervised", chat_rows(12)), ("dpo", dpo_rows(12)), ("reinforcement", rl_rows())]
)
def test_good_files_pass_with_their_token_counts(tmp_path, smol_tokenizer, method, rows):
    stats = check_training_file(write(tmp_path, rows), method, smol_tokenizer, 1024, "file-x")
    assert stats.examples == 12 and stats.too_long == 0
    first = rows[0]["messages"] if "messages" in rows[0] else rows[0]["input"]["messages"] + rows[0]["preferred_output"]
    text = smol_tokenizer.apply_chat_template(first, tokenize=False)
    expected = len(smol_tokenizer(text, add_special_tokens=False)["input_ids"])
    assert stats.longest >= expected > 0 and stats.tokens >= 12 * min(expected, stats.longest) // 2


def test_long_examples_are_counted_not_refused(tmp_path, smol_tokenizer):
    stats = check_training_file(write(tmp_path, chat_rows(12)), "supervised", smol_tokenizer, 20, "file-x")
    assert stats.too_long == 12


def bad(tmp_path, smol_tokenizer, method, rows):
    with pytest.raises(InputError) as caught:
        check_training_file(write(tmp_path, rows), method, smol_tokenizer, 1024, "file-x")
    return str(caught.value)


def test_each_kind_of_bad_example_names_line_and_field(tmp_path, smol_tokenizer):
    rows = chat_rows(12)
    rows[4] = {"messages": [{"role": "user", "content": "hi"}]}
    assert "file-x: line 5" in (message := bad(tmp_path, smol_tokenizer, "supervised", rows))
    assert "no assistant reply" in message
    rows[4] = {"messages": [{"role": "wizard", "content": "hi"}]}
    assert "messages[0].role" in bad(tmp_path, smol_tokenizer, "supervised", rows)
    rows[4] = {"messages": [{"role": "user", "content": "q", "weight": 1}, {"role": "assistant", "content": "a"}]}
    assert "weight" in bad(tmp_path, smol_tokenizer, "supervised", rows)
    rows[4] = {**chat_rows(1)[0], "tools": [{"type": "function"}]}
    assert "field 'tools'" in bad(tmp_path, smol_tokenizer, "supervised", rows)
    rows[4] = {**chat_rows(1)[0], "label": True}
    assert "field 'label'" in bad(tmp_path, smol_tokenizer, "supervised", rows)


def test_dpo_and_reinforcement_rules(tmp_path, smol_tokenizer):
    rows = dpo_rows(12)
    rows[2] = {
        **rows[2],
        "preferred_output": [{"role": "assistant", "content": "x"}, {"role": "assistant", "content": "y"}],
    }
    assert "line 3" in (message := bad(tmp_path, smol_tokenizer, "dpo", rows)) and "preferred_output" in message
    assert "supervised example" in bad(tmp_path, smol_tokenizer, "dpo", chat_rows(12))
    rows = rl_rows()
    rows[0] = chat_rows(1)[0]
    assert (
        "line 1" in (message := bad(tmp_path, smol_tokenizer, "reinforcement", rows))
        and "ends with assistant" in message
    )


def test_fewer_than_ten_examples_are_refused(tmp_path, smol_tokenizer):
    assert "at least 10" in bad(tmp_path, smol_tokenizer, "supervised", chat_rows(9))


def test_openai_dpo_file_is_detected_and_read(tmp_path):
    from tunesmith.data.preference import load_preference

    data = load_preference(write(tmp_path, dpo_rows(3)))
    assert data.format == "openai_dpo"
    assert data.rows[0]["prompt"] == [{"role": "user", "content": "What color is the sky?"}]
    assert data.rows[0]["chosen"] == [{"role": "assistant", "content": "Blue."}]
    assert data.rows[0]["rejected"] == [{"role": "assistant", "content": "I do not know."}]


def test_reinforcement_prompts_keep_item_fields(tmp_path):
    from tunesmith.data.formats import FormatOptions
    from tunesmith.data.prompts import prompt_dataset

    rows = prompt_dataset(write(tmp_path, rl_rows(3)), "auto", FormatOptions(), ["reference_answer"])
    assert rows[0]["prompt"][-1] == {"role": "user", "content": "What color is the sky?"}
    assert rows[0]["reference_answer"] == "Blue."
    assert json.loads(json.dumps(rows[0]["prompt"]))[0]["role"] == "system"
