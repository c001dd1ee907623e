"""Pipeline inputs: any chat format or text records become canonical rows with provenance in meta."""

from __future__ import annotations

import json

import pytest

from tests.conftest import write_jsonl
from tunesmith.data.records import get_meta, to_output
from tunesmith.data.sources import InputSpec, combine, read_dataset, read_input
from tunesmith.errors import InputError


def test_alpaca_file_becomes_messages_with_source_and_chosen_meta_fields(tmp_path):
    path = write_jsonl(tmp_path / "qa.jsonl", [{"instruction": "Hi?", "output": "Hello.", "category": "greet"}] * 3)
    dataset = read_dataset(path, cache_dir=tmp_path / "cache")
    assert len(dataset) == 3
    row = to_output(dataset[0])
    assert row["messages"] == [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]
    assert row["meta"] == {"category": "greet", "source": "qa"}


def test_input_name_and_record_meta_are_kept(tmp_path):
    record = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "meta": {"x": 1}}
    write_jsonl(tmp_path / "a.jsonl", [record])
    dataset = read_input(InputSpec(path="a.jsonl", name="support"), tmp_path, tmp_path / "cache")
    assert get_meta(dataset[0]) == {"x": 1, "source": "support"}


def test_text_records_and_chat_records_combine_into_one_table(tmp_path):
    chat = write_jsonl(tmp_path / "c.jsonl", [{"prompt": "p", "completion": "c"}])
    text = write_jsonl(tmp_path / "t.jsonl", [{"text": "raw document"}, {"text": "another"}])
    both = combine([read_dataset(chat, cache_dir=tmp_path / "x"), read_dataset(text, cache_dir=tmp_path / "x")])
    assert len(both) == 3
    assert to_output(both[1]) == {"text": "raw document", "meta": {"source": "t"}}
    assert "text" not in to_output(both[0])


def test_bad_record_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"instruction": "a", "output": "b"}) + "\n" + json.dumps({"instruction": 3, "output": "b"})
    )
    with pytest.raises(InputError) as err:
        read_dataset(path, cache_dir=tmp_path / "cache")
    assert err.value.where == f"{path}:2" and "instruction" in err.value.message


def test_missing_input_and_unknown_format_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_dataset(tmp_path / "nope.jsonl")
    write_jsonl(tmp_path / "a.jsonl", [{"text": "x"}])
    with pytest.raises(InputError, match="unknown input format"):
        read_input(InputSpec(path="a.jsonl", format="csvish"), tmp_path)


def test_document_folder_gives_text_records_naming_input_and_file(tmp_path):
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("First manual.", encoding="utf-8")
    (docs / "sub" / "b.md").write_text("# Second\n\nManual.", encoding="utf-8")
    dataset = read_input(InputSpec(path="docs", name="manuals"), tmp_path, tmp_path / "cache")
    assert [get_meta(row) for row in dataset] == [
        {"source": "manuals", "document": "a.txt"},
        {"source": "manuals", "document": "sub/b.md"},
    ]
    assert dataset[0]["text"] == "First manual."
