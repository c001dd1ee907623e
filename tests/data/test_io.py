"""Reading and writing record files: locations, the four file types, errors, atomic writes."""

import json

import pytest

from tunesmith.data.io import read_records, write_records
from tunesmith.errors import InputError

CHINESE = [
    {"prompt": "把这句话翻译成英文：你好，世界", "completion": "Hello, world"},
    {"prompt": "天气怎么样？", "completion": "晴天，二十五度。"},
]


def error_of(path) -> str:
    """The message of the InputError that reading `path` raises."""
    with pytest.raises(InputError) as info:
        read_records(path)
    return str(info.value)


def test_jsonl_locations_count_blank_lines(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text('{"a": 1}\n\n   \n{"a": 2}\n', encoding="utf-8")
    assert read_records(path) == [(f"{path}:1", {"a": 1}), (f"{path}:4", {"a": 2})]


def test_ndjson_suffix_reads_as_jsonl(tmp_path):
    path = tmp_path / "train.ndjson"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    assert read_records(path) == [(f"{path}:1", {"a": 1})]


def test_json_list_and_object_holding_one_list(tmp_path):
    plain = tmp_path / "plain.json"
    plain.write_text('[{"a": 1}, {"a": 2}]', encoding="utf-8")
    assert read_records(plain) == [(f"{plain}:[0]", {"a": 1}), (f"{plain}:[1]", {"a": 2})]
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text('{"version": 2, "data": [{"a": 1}]}', encoding="utf-8")
    assert read_records(wrapped) == [(f"{wrapped}:[0]", {"a": 1})]


def test_csv_rows_are_numbered_from_the_first_data_row(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('prompt,completion\nhi,"two\nlines"\n你好,世界\n', encoding="utf-8")
    assert read_records(path) == [
        (f"{path}:row 1", {"prompt": "hi", "completion": "two\nlines"}),
        (f"{path}:row 2", {"prompt": "你好", "completion": "世界"}),
    ]


def test_bom_at_file_start_is_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffprompt,completion\na,b\n".encode())
    assert read_records(path)[0][1] == {"prompt": "a", "completion": "b"}


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".parquet"])
def test_write_then_read_round_trips_chinese_text(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_records(path, CHINESE)
    assert [record for _, record in read_records(path)] == CHINESE
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_text_files_keep_non_ascii_unescaped(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_records(path, CHINESE)
    text = path.read_text(encoding="utf-8")
    assert "你好，世界" in text and "\\u" not in text


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_nested_values_round_trip(tmp_path, suffix):
    records = [{"messages": [{"role": "user", "content": "问"}, {"role": "assistant", "content": "答"}]}]
    path = tmp_path / f"out{suffix}"
    write_records(path, records)
    assert [record for _, record in read_records(path)] == records


def test_csv_writes_nested_values_as_json_text(tmp_path):
    path = tmp_path / "out.csv"
    messages = [{"role": "user", "content": "问"}]
    write_records(path, [{"messages": messages, "n": 3, "note": None}])
    ((_, record),) = read_records(path)
    assert json.loads(record["messages"]) == messages
    assert record["n"] == "3" and record["note"] == ""


def test_csv_columns_are_the_union_of_keys(tmp_path):
    path = tmp_path / "out.csv"
    write_records(path, [{"a": "1"}, {"b": "2"}])
    assert [record for _, record in read_records(path)] == [{"a": "1", "b": ""}, {"a": "", "b": "2"}]


def test_missing_file(tmp_path):
    message = error_of(tmp_path / "nope.jsonl")
    assert message.startswith(f"{tmp_path / 'nope.jsonl'}: file not found")


def test_folder_is_not_a_data_file(tmp_path):
    assert error_of(tmp_path) == f"{tmp_path}: is a folder; expected a data file"


def test_unknown_suffix_lists_supported_ones(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("hello", encoding="utf-8")
    message = error_of(path)
    assert message.startswith(f"{path}: unsupported file type '.txt'")
    for suffix in (".jsonl", ".ndjson", ".json", ".csv", ".parquet"):
        assert suffix in message


def test_broken_json_line_names_the_line(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"a": 1}\n{"a": 1 "b": 2}\n', encoding="utf-8")
    message = error_of(path)
    assert message.startswith(f"{path}:2: not valid JSON (Expecting ',' delimiter")
    assert message.endswith("expected one JSON object per line")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("data.jsonl", '{"a": 1}\n[1, 2]\n', ":2: is an array, not an object; expected one JSON object per line"),
        ("data.json", '[{"a": 1}, "text"]', ":[1]: is a string, not an object"),
        ("data.json", '[\n{"a": 1},\n{"a": }\n]', ":3: not valid JSON"),
        ("data.csv", "a,b\n1,2\n1,2,3\n", ":row 2: has more cells than the 2 header columns"),
        ("data.jsonl", b'{"a": 1}\n{"a": "\xff"}\n', ":2: not UTF-8"),
        ("data.parquet", b"not parquet at all", ": not a readable Parquet file"),
    ],
    ids=["jsonl-array", "json-item", "json-syntax", "csv-cells", "not-utf8", "parquet"],
)
def test_a_bad_record_is_named_by_its_line_row_or_item(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert error_of(path).startswith(f"{path}{expected}")


def test_json_object_without_exactly_one_list(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('{"train": [], "test": []}', encoding="utf-8")
    assert "has 2 list values" in error_of(path)


@pytest.mark.parametrize("name,text", [("e.jsonl", ""), ("b.jsonl", "\n  \n"), ("e.json", "[]"), ("h.csv", "a,b\n")])
def test_empty_files_have_no_records(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert error_of(path) == f"{path}: no records; expected at least one"


def test_write_unknown_suffix_writes_nothing(tmp_path):
    with pytest.raises(InputError, match="unsupported file type '.txt'"):
        write_records(tmp_path / "out.txt", CHINESE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_failed_write_leaves_no_file(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    bad = [{"a": "fine"}, {"a": {"nested": object()}}]
    with pytest.raises(TypeError):
        write_records(path, bad)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.jsonl"
    write_records(path, CHINESE)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        write_records(path, [{"a": object()}])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_parquet_with_mixed_column_types_is_an_input_error(tmp_path):
    path = tmp_path / "out.parquet"
    with pytest.raises(InputError) as info:
        write_records(path, [{"a": 1}, {"a": "x"}])
    assert str(info.value).startswith(f"{path}: cannot store records as Parquet")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text,problem",
    [
        ('prompt,completion\n"a","b"\n"Hi, there,x\nc,d\n', "never closes"),  # runs to the end of the file
        ('prompt,completion\n"a","b"\n"Hi, there,x\n"c","d"\n"e","f"\n', "ends before its text"),
    ],
    ids=["to-end-of-file", "closed-by-a-later-quote"],
)
def test_csv_unterminated_quote_names_the_line_where_the_quoted_cell_starts(tmp_path, text, problem):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_records(path)
    assert err.value.where == f"{path}:3"
    assert "unterminated" in err.value.message and problem in err.value.message
