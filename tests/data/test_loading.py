"""Loading files as canonical messages, building Datasets, and converting files between formats."""

import json

import pytest

from tunesmith.data.formats import FormatOptions, to_messages
from tunesmith.data.io import read_records, write_records
from tunesmith.data.loading import convert_file, load_messages, to_dataset
from tunesmith.errors import InputError

CHAT = [
    {"role": "system", "content": "只用中文回答。"},
    {"role": "user", "content": "你好"},
    {"role": "assistant", "content": "你好！有什么可以帮你？"},
    {"role": "user", "content": "法国的首都是哪里？"},
    {"role": "assistant", "content": "巴黎。"},
]
WEIGHTED = [
    {"role": "user", "content": "q"},
    {"role": "assistant", "content": "draft", "weight": 0},
    {"role": "user", "content": "again"},
    {"role": "assistant", "content": "final", "weight": 1},
]
PLAIN = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]


def write_jsonl(path, records):
    """Write `records` as JSON lines the way a user's tool would."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_load_detects_format_and_returns_canonical_rows(tmp_path):
    path = write_jsonl(tmp_path / "chat.jsonl", [{"messages": CHAT}, {"messages": PLAIN}])
    assert load_messages(path) == ("openai", [{"messages": CHAT}, {"messages": PLAIN}])


def test_load_csv_with_column_mapping(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("question,answer,topic\n2+2?,4,math\n首都？,巴黎,geo\n", encoding="utf-8")
    options = FormatOptions(columns={"instruction": "question", "output": "answer"})
    name, rows = load_messages(path, options=options)
    assert name == "alpaca"
    assert rows[1]["messages"] == [{"role": "user", "content": "首都？"}, {"role": "assistant", "content": "巴黎"}]


def test_explicit_format_is_used_as_given(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"instruction": "q", "context": "c", "response": "a", "output": "x"}])
    assert load_messages(path)[0] == "alpaca"
    name, rows = load_messages(path, "dolly")
    assert name == "dolly" and rows[0]["messages"][-1]["content"] == "a"


def test_unknown_explicit_format_names_the_known_ones(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"messages": PLAIN}])
    with pytest.raises(InputError) as info:
        load_messages(path, "chatml")
    assert str(info.value) == (
        f"{path}: unknown format 'chatml'; known: auto, openai, sharegpt, alpaca, dolly, prompt_completion"
    )
    with pytest.raises(InputError, match="unknown format 'sharegtp'; did you mean 'sharegpt'?"):
        load_messages(path, "sharegtp")


def test_bad_record_error_names_its_line_and_field(tmp_path):
    bad = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": 3}]}
    path = write_jsonl(tmp_path / "data.jsonl", [{"messages": PLAIN}, {"messages": PLAIN}, bad])
    with pytest.raises(InputError) as info:
        load_messages(path)
    assert str(info.value) == f"{path}:3: field 'messages[1].content' must be a string, got int"
    assert info.value.where == f"{path}:3"


def test_dataset_with_weights_on_some_turns_round_trips(tmp_path):
    dataset = to_dataset([{"messages": WEIGHTED}, {"messages": PLAIN}])
    assert set(dataset.features["messages"].feature) == {"role", "content", "weight"}
    assert [m["weight"] for m in dataset[0]["messages"]] == [None, 0, None, 1]
    assert [m["weight"] for m in dataset[1]["messages"]] == [None, None]
    # The None placeholders read back as "no weight given", so the rows convert to the same messages.
    back = [to_messages(row, "ds", "openai") for row in dataset.to_list()]
    assert back == [WEIGHTED, PLAIN]


def test_dataset_without_weights_has_no_weight_field():
    dataset = to_dataset([{"messages": CHAT}])
    assert set(dataset.features["messages"].feature) == {"role", "content"}
    assert dataset[0]["messages"] == CHAT


def test_parquet_with_weights_on_some_turns_loads_back(tmp_path):
    path = tmp_path / "w.parquet"
    write_records(path, [{"messages": WEIGHTED}, {"messages": PLAIN}])
    assert load_messages(path) == ("openai", [{"messages": WEIGHTED}, {"messages": PLAIN}])


def test_convert_to_alpaca_json_and_back(tmp_path):
    src = write_jsonl(tmp_path / "chat.jsonl", [{"messages": CHAT}, {"messages": PLAIN}])
    dst = tmp_path / "out" / "alpaca.json"
    assert convert_file(src, dst, "alpaca") == 2
    records = [record for _, record in read_records(dst)]
    assert records[0]["history"] == [["你好", "你好！有什么可以帮你？"]] and records[0]["system"] == "只用中文回答。"
    assert load_messages(dst) == ("alpaca", [{"messages": CHAT}, {"messages": PLAIN}])


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".parquet"])
def test_convert_to_sharegpt_keeps_weights_in_every_file_type(tmp_path, suffix):
    src = write_jsonl(tmp_path / "chat.jsonl", [{"messages": WEIGHTED}, {"messages": CHAT}])
    dst = tmp_path / f"sharegpt{suffix}"
    assert convert_file(src, dst, "sharegpt") == 2
    assert load_messages(dst) == ("sharegpt", [{"messages": WEIGHTED}, {"messages": CHAT}])


def test_convert_csv_alpaca_round_trip(tmp_path):
    src = write_jsonl(tmp_path / "chat.jsonl", [{"messages": CHAT}])
    dst = tmp_path / "alpaca.csv"
    convert_file(src, dst, "alpaca")
    assert load_messages(dst) == ("alpaca", [{"messages": CHAT}])


def test_convert_error_names_the_record_and_writes_nothing(tmp_path):
    tool_chat = [*PLAIN[:1], {"role": "tool", "content": "{}"}, PLAIN[1]]
    src = write_jsonl(tmp_path / "chat.jsonl", [{"messages": PLAIN}, {"messages": tool_chat}])
    dst = tmp_path / "alpaca.jsonl"
    dst.write_text("old\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        convert_file(src, dst, "alpaca")
    assert str(info.value).startswith(f"{src}:2: cannot be written as alpaca: alpaca cannot hold tool calls")
    assert dst.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpaca.jsonl", "chat.jsonl"]


@pytest.mark.parametrize(
    "dst,to,expected",
    [
        ("out.jsonl", "dolly", "cannot write format 'dolly'; expected one of openai, alpaca, sharegpt"),
        ("out.txt", "openai", "unsupported file type '.txt'"),
    ],
)
def test_convert_rejects_bad_targets_before_reading(tmp_path, dst, to, expected):
    with pytest.raises(InputError) as info:
        convert_file(tmp_path / "missing.jsonl", tmp_path / dst, to)
    assert str(info.value).startswith(f"{tmp_path / dst}: {expected}")
    assert list(tmp_path.iterdir()) == []
