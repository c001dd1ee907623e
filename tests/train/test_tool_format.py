"""Tool-use chat data made ready for the tokenizer's template before TRL tokenizes it."""

import copy

from tests.conftest import write_jsonl
from tests.data.test_tool_data import glaive_record
from tunesmith.data.loading import load_messages, to_dataset
from tunesmith.data.training import TrainingData
from tunesmith.models.templates import training_template
from tunesmith.train.setup import with_tool_format

# A template that knows tools (as Qwen's does) and marks the assistant's tokens for the loss.
NATIVE = (
    "{% if tools %}<tools>{{ tools | tojson }}</tools>\n{% endif %}"
    "{% for m in messages %}<{{ m.role }}>"
    "{% if m.role == 'assistant' %}{% generation %}{{ m.content }}"
    "{% for c in m.tool_calls or [] %}<call>{{ c.function.name }} {{ c.function.arguments | tojson }}</call>"
    "{% endfor %}"
    "{% endgeneration %}{% else %}{{ m.content }}{% endif %}\n{% endfor %}"
)


def tool_data(tmp_path) -> TrainingData:
    plain = {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}
    _, rows = load_messages(write_jsonl(tmp_path / "mixed.jsonl", [glaive_record(), plain]))
    return TrainingData(to_dataset(rows), None)


def test_a_template_without_tools_gets_the_fallback_text(tmp_path, smol_tokenizer):
    tokenizer = copy.deepcopy(smol_tokenizer)
    tokenizer.chat_template = training_template(smol_tokenizer)
    train, validation = with_tool_format(tool_data(tmp_path), tokenizer, cached=False)
    assert validation is None and train.column_names == ["messages"]
    first = train[0]["messages"]
    assert (
        first[0]["role"] == "system" and "<tools>" in first[0]["content"] and '"calculate_area"' in first[0]["content"]
    )
    assert first[2]["content"].startswith('<tool_call>\n{"name": "calculate_area"')
    assert first[3] == {"role": "user", "content": '<tool_response>\n{"area": 50.24}\n</tool_response>'}
    assert train[1]["messages"][0]["role"] == "user"  # a record without tools gets no tools block


def test_a_template_that_knows_tools_gets_them_natively_tokenized(tmp_path, smol_tokenizer):
    tokenizer = copy.deepcopy(smol_tokenizer)
    tokenizer.chat_template = NATIVE
    train, _ = with_tool_format(tool_data(tmp_path), tokenizer, cached=False)
    assert set(train.column_names) == {"input_ids", "assistant_masks"}
    ids, mask = train[0]["input_ids"], train[0]["assistant_masks"]
    assert tokenizer.decode(ids).startswith('<tools>[{"type": "function", "function": {"name": "calculate_area"')
    trained = tokenizer.decode([i for i, m in zip(ids, mask) if m])
    assert '<call>calculate_area {"shape": "circle", "dimensions": [4]}</call>' in trained  # arguments as an object
    assert 'area": 50.24' not in trained


def test_data_without_tools_is_untouched(tmp_path, smol_tokenizer):
    plain = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    _, rows = load_messages(write_jsonl(tmp_path / "plain.jsonl", [plain]))
    data = TrainingData(to_dataset(rows), None)
    assert with_tool_format(data, smol_tokenizer, cached=False).train is data.train
