"""Preference readers turn every common shape into TRL's conversational columns, and name bad records exactly."""

from __future__ import annotations

import json

import pytest

from tests.conftest import write_jsonl
from tunesmith.config import validate_recipe
from tunesmith.config.stages import KtoConfig
from tunesmith.data.formats import FormatOptions
from tunesmith.data.inspect import inspect_file
from tunesmith.data.loading import convert_file, load_messages
from tunesmith.data.preference import load_preference, to_preference_dataset
from tunesmith.errors import InputError
from tunesmith.train.setup import load_stage_data


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def bot(text: str) -> dict:
    return {"role": "assistant", "content": text}


def read(tmp_path, rows, name="prefs.jsonl", fmt="auto", options=None):
    return load_preference(write_jsonl(tmp_path / name, rows), fmt, options)


def test_plain_strings_become_conversations(tmp_path):
    data = read(tmp_path, [{"prompt": "2+2?", "chosen": "4", "rejected": "5"}])
    assert data.format == "preference"
    assert data.rows == [{"prompt": [user("2+2?")], "chosen": [bot("4")], "rejected": [bot("5")]}]


def test_message_lists_are_kept_with_their_system_turn(tmp_path):
    prompt = [{"role": "system", "content": "Be terse."}, user("Capital of France?")]
    data = read(tmp_path, [{"prompt": prompt, "chosen": [bot("Paris.")], "rejected": [bot("Lyon.")]}])
    assert data.rows == [{"prompt": prompt, "chosen": [bot("Paris.")], "rejected": [bot("Lyon.")]}]


def test_implicit_prompt_is_the_shared_turns(tmp_path):
    record = {"chosen": [user("Hi"), bot("Hello!")], "rejected": [user("Hi"), bot("Go away.")]}
    assert read(tmp_path, [record]).rows == [
        {"prompt": [user("Hi")], "chosen": [bot("Hello!")], "rejected": [bot("Go away.")]}
    ]


def test_llama_factory_sharegpt_preference(tmp_path):
    record = {
        "system": "You are kind.",
        "conversations": [
            {"from": "human", "value": "Hi"},
            {"from": "gpt", "value": "Hello"},
            {"from": "human", "value": "Joke?"},
        ],
        "chosen": {"from": "gpt", "value": "Why did the chicken…"},
        "rejected": {"from": "gpt", "value": "No."},
    }
    data = read(tmp_path, [record])
    assert data.format == "sharegpt_preference"
    assert data.rows == [
        {
            "prompt": [{"role": "system", "content": "You are kind."}, user("Hi"), bot("Hello"), user("Joke?")],
            "chosen": [bot("Why did the chicken…")],
            "rejected": [bot("No.")],
        }
    ]


def test_ultrafeedback_pairs_best_against_worst_and_skips_ties(tmp_path):
    rows = [
        {
            "prompt": "Name a fruit.",
            "completions": [
                {"response": "Apple.", "score": 4},
                {"response": "A car.", "score": 1},
                {"response": "Pear.", "score": 4},  # tied with the first best: the first listed wins
                {"response": "Rock.", "score": 1},
            ],
        },
        {"instruction": "Say hi.", "completions": [{"text": "hi", "rating": 3}, {"text": "hello", "rating": 3}]},
        {"prompt": "Count.", "completions": [{"response": "1 2 3", "overall_score": 9.5}]},
    ]
    data = read(tmp_path, rows)
    assert data.format == "ultrafeedback"
    assert data.rows == [{"prompt": [user("Name a fruit.")], "chosen": [bot("Apple.")], "rejected": [bot("A car.")]}]
    assert data.counts() == {
        "pairs": 1,
        "skipped (all completions scored the same)": 1,
        "skipped (fewer than two completions)": 1,
    }


def test_kto_labels_and_counts(tmp_path):
    rows = [
        {"prompt": "2+2?", "completion": "4", "label": True},
        {"prompt": "2+2?", "completion": "22", "label": False},
        {"prompt": [user("3+3?")], "completion": [bot("6")], "label": True},
    ]
    data = read(tmp_path, rows)
    assert data.format == "kto"
    assert data.rows[1] == {"prompt": [user("2+2?")], "completion": [bot("22")], "label": False}
    assert data.counts() == {"desirable": 2, "undesirable": 1}
    dataset = to_preference_dataset(data.rows)
    assert dataset.column_names == ["prompt", "completion", "label"] and dataset["label"] == [True, False, True]


def test_kto_labels_from_csv_text(tmp_path):
    path = tmp_path / "kto.csv"
    path.write_text("prompt,completion,label\nHi,Hello,true\nHi,Go away,FALSE\n", encoding="utf-8")
    assert [row["label"] for row in load_preference(path).rows] == [True, False]


def test_user_columns_are_remapped(tmp_path):
    options = FormatOptions(columns={"prompt": "question", "chosen": "good", "rejected": "bad"})
    data = read(tmp_path, [{"question": "1+1?", "good": "2", "bad": "3"}], options=options)
    assert data.rows == [{"prompt": [user("1+1?")], "chosen": [bot("2")], "rejected": [bot("3")]}]


def test_missing_rejected_names_file_line_and_field(tmp_path):
    rows = [{"prompt": "a", "chosen": "b", "rejected": "c"}, {"prompt": "x", "chosen": "y"}]
    with pytest.raises(InputError) as err:
        read(tmp_path, rows)
    assert err.value.where == f"{tmp_path / 'prefs.jsonl'}:2"
    assert err.value.message.startswith("field 'rejected' is missing; expected the dispreferred reply")


def test_identical_chosen_and_rejected_is_an_error(tmp_path):
    rows = [{"prompt": "a", "chosen": "b", "rejected": "c"}, {"prompt": "a", "chosen": "b", "rejected": "c"}]
    rows.append({"prompt": "x", "chosen": "Same answer.", "rejected": " Same answer. "})
    with pytest.raises(InputError) as err:
        read(tmp_path, rows)
    assert err.value.where == f"{tmp_path / 'prefs.jsonl'}:3"
    assert err.value.message == "fields 'chosen' and 'rejected' are identical; expected two different replies"


@pytest.mark.parametrize("label", ["yes", 1, None])
def test_kto_label_must_be_boolean(tmp_path, label):
    rows = [{"prompt": "a", "completion": "b", "label": True}, {"prompt": "a", "completion": "c", "label": label}]
    with pytest.raises(InputError) as err:
        read(tmp_path, rows)
    assert err.value.where == f"{tmp_path / 'prefs.jsonl'}:2"
    expected = (
        "field 'label' is missing; expected true or false"
        if label is None
        else "field 'label' must be true or false, got"
    )
    assert err.value.message.startswith(expected)


def test_a_record_of_another_shape_is_named(tmp_path):
    rows = [{"prompt": "a", "chosen": "b", "rejected": "c"}, {"prompt": "a", "completion": "b"}]
    with pytest.raises(InputError) as err:
        read(tmp_path, rows)
    assert err.value.where.endswith(":2") and "expected the keys of preference (prompt, chosen, rejected)" in str(
        err.value
    )


def test_chat_loading_refuses_preference_data(tmp_path):
    path = write_jsonl(tmp_path / "kto.jsonl", [{"prompt": "a", "completion": "b", "label": False}])
    with pytest.raises(InputError, match="holds KTO data: field 'label' .*; expected chat data here"):
        load_messages(path)


def test_inspect_reports_preference_format_and_counts(tmp_path, smol_tokenizer):
    rows = [
        {"prompt": "What is 2+2?", "chosen": "4", "rejected": "5"},
        {"prompt": "Hi", "chosen": "Hello", "rejected": "Bye"},
    ]
    found = inspect_file(write_jsonl(tmp_path / "pairs.jsonl", rows), smol_tokenizer)
    assert (found.format, found.records, found.counts) == ("preference", 2, {"pairs": 2})
    assert found.turns == {"user": 2, "assistant": 2}
    assert [text for text, trained in found.first_example if trained] == ["4<|im_end|>"]

    kto = [
        {"prompt": "Hi", "completion": "Hello", "label": True},
        {"prompt": "Hi", "completion": "Bye", "label": False},
    ]
    found = inspect_file(write_jsonl(tmp_path / "kto.jsonl", kto), smol_tokenizer)
    assert (found.format, found.counts) == ("kto", {"desirable": 1, "undesirable": 1})


def test_pair_stages_refuse_unpaired_data_and_kto_takes_both(tmp_path):
    kto = write_jsonl(tmp_path / "kto.jsonl", [{"prompt": "a", "completion": "b", "label": True}] * 2)
    recipe = validate_recipe({"data": {"train": str(kto), "validation_split": 0}, "stage": "dpo"})
    with pytest.raises(InputError, match="holds unpaired kto data .* for stage dpo, or use stage: kto"):
        load_stage_data(recipe)
    train, validation = load_stage_data(recipe.model_copy(update={"stage": KtoConfig()}))
    assert validation is None and train["label"] == [True, True]


def test_validation_split_is_seeded_and_disjoint(tmp_path):
    rows = [{"prompt": f"q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(20)]
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    recipe = validate_recipe({"data": {"train": str(path), "validation_split": 0.25}, "stage": {"name": "dpo"}})
    train, validation = load_stage_data(recipe)
    assert (len(train), len(validation)) == (15, 5)
    prompts = {row["prompt"][0]["content"] for row in train} | {row["prompt"][0]["content"] for row in validation}
    assert len(prompts) == 20


def test_a_file_that_yields_no_pair_is_an_error(tmp_path):
    rows = [{"prompt": "a", "completions": [{"response": "x", "score": 2}, {"response": "y", "score": 2}]}] * 2
    with pytest.raises(InputError) as err:
        read(tmp_path, rows)
    assert err.value.where == str(tmp_path / "prefs.jsonl")
    assert (
        err.value.message == "no preference pairs (2 skipped: all completions scored the same); expected at least one"
    )


def openai_dpo_record(question: str = "Capital of France?", good: str = "Paris.", bad: str = "Lyon.") -> dict:
    return {
        "input": {"messages": [{"role": "developer", "content": "Be terse."}, user(question)], "tools": []},
        "preferred_output": [bot(good)],
        "non_preferred_output": [bot(bad)],
    }


def test_openai_dpo_files_are_detected_and_read_unchanged(tmp_path):
    record = openai_dpo_record()
    record["input"]["messages"][1]["content"] = [
        {"type": "text", "text": "Capital of "},
        {"type": "text", "text": "France?"},
    ]
    data = read(tmp_path, [record, openai_dpo_record("2+2?", "4", "5")])
    assert data.format == "openai_dpo" and data.counts() == {"pairs": 2}
    system = {"role": "system", "content": "Be terse."}  # OpenAI's developer turn is the system turn
    assert data.rows[0] == {
        "prompt": [system, user("Capital of France?")],
        "chosen": [bot("Paris.")],
        "rejected": [bot("Lyon.")],
    }
    assert data.rows[1]["chosen"] == [bot("4")] and data.rows[1]["rejected"] == [bot("5")]


def test_stage_dpo_trains_an_openai_dpo_file(tmp_path):
    path = write_jsonl(tmp_path / "dpo.jsonl", [openai_dpo_record(f"q{i}", f"good {i}", f"bad {i}") for i in range(4)])
    recipe = validate_recipe({"data": {"train": str(path), "validation_split": 0}, "stage": "dpo"})
    train, validation = load_stage_data(recipe)
    assert validation is None and train.column_names == ["prompt", "chosen", "rejected"]
    assert train[2]["prompt"][-1] == user("q2") and train[2]["rejected"] == [bot("bad 2")]


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"preferred_output": [bot("a"), bot("b")]},
            "field 'preferred_output' must be a list of one assistant message, got a list of 2",
        ),
        (
            {"non_preferred_output": None},
            "field 'non_preferred_output' must be a list of one assistant message, got nothing",
        ),
        ({"input": {"messages": [bot("hi")]}}, "field 'input.messages' must end with a user turn"),
        ({"input": [user("hi")]}, "field 'input' is a list without 'messages'; expected an object"),
    ],
)
def test_bad_openai_dpo_records_name_line_and_field(tmp_path, change, message):
    with pytest.raises(InputError) as err:
        read(tmp_path, [openai_dpo_record(), {**openai_dpo_record(), **change}])
    assert err.value.where.endswith(":2") and err.value.message.startswith(message)


# KTO in every shape: LLaMA-Factory's messages + label (kto_en_demo.json), ShareGPT conversations + label, pairs.


def kto_messages(i: int, label: bool, system: bool = False) -> dict:
    """One record shaped like LLaMA-Factory's data/kto_en_demo.json: role/content turns and a boolean label."""
    turns = [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]
    if system:
        turns = [{"role": "system", "content": "Be kind."}, user("Hi"), bot("Hello!"), *turns]
    return {"messages": turns, "label": label}


def kto_file(tmp_path, n: int = 4, name: str = "kto_demo.json"):
    """A JSON array like kto_en_demo.json: every other record undesirable, the first a multi-turn one."""
    path = tmp_path / name
    path.write_text(json.dumps([kto_messages(i, i % 2 == 0, system=i == 0) for i in range(n)]), encoding="utf-8")
    return path


def test_llama_factory_kto_messages_last_assistant_turn_is_the_completion(tmp_path):
    data = load_preference(kto_file(tmp_path))
    assert data.format == "kto" and data.counts() == {"desirable": 2, "undesirable": 2}
    system = {"role": "system", "content": "Be kind."}
    assert data.rows[0] == {
        "prompt": [system, user("Hi"), bot("Hello!"), user("Question 0?")],
        "completion": [bot("Answer 0.")],
        "label": True,
    }
    assert data.rows[1] == {"prompt": [user("Question 1?")], "completion": [bot("Answer 1.")], "label": False}


def test_sharegpt_conversations_with_a_label_are_kto(tmp_path):
    record = {
        "system": "Be kind.",
        "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Go away."}],
        "label": "false",  # CSV-style text labels read too
    }
    data = read(tmp_path, [record, {**record, "label": True}])
    assert data.format == "kto"
    system = {"role": "system", "content": "Be kind."}
    assert data.rows[0] == {"prompt": [system, user("Hi")], "completion": [bot("Go away.")], "label": False}


def test_kto_messages_must_end_with_the_judged_reply(tmp_path):
    rows = [kto_messages(0, True), {"messages": [user("Hi")], "label": False}]
    with pytest.raises(InputError) as err:
        read(tmp_path, rows)
    assert err.value.where == f"{tmp_path / 'prefs.jsonl'}:2"
    assert err.value.message == "field 'messages' must end with an assistant turn; expected the reply 'label' judges"


def test_chat_loading_refuses_kto_labels_naming_file_line_field_and_option(tmp_path):
    path = kto_file(tmp_path)
    with pytest.raises(InputError) as err:
        load_messages(path)
    assert err.value.where == f"{path}:[0]"  # a JSON array's first record
    assert err.value.message.startswith("holds KTO data: field 'label' marks each reply desirable or not (2 of 4")
    assert "data.kto_labels: desirable_only" in err.value.message and "--desirable-only" in err.value.message
    jsonl = write_jsonl(tmp_path / "kto.jsonl", [{"messages": [user("a"), bot("b")]}, kto_messages(1, False)])
    with pytest.raises(InputError) as err:
        load_messages(jsonl, "openai")  # an explicit format does not drop the label either
    assert err.value.where == f"{jsonl}:2"


def test_desirable_only_keeps_the_replies_labelled_true(tmp_path):
    options = FormatOptions(kto_labels="desirable_only")
    fmt, rows = load_messages(kto_file(tmp_path), options=options)
    assert fmt == "openai" and [row["messages"][-1]["content"] for row in rows] == ["Answer 0.", "Answer 2."]
    assert all("label" not in row.get("meta", {}) for row in rows)
    out = tmp_path / "sft.jsonl"
    assert convert_file(kto_file(tmp_path), out, "openai", options=options) == 2
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["messages"][-1] for r in written] == [bot("Answer 0."), bot("Answer 2.")]
    assert all("label" not in r for r in written)
    pc = write_jsonl(tmp_path / "pc.jsonl", [{"prompt": "a", "completion": "b", "label": False}] * 2)
    with pytest.raises(InputError, match="every record has 'label' false; expected at least one desirable reply"):
        load_messages(pc, options=options)


def test_sft_refuses_kto_data_unless_the_recipe_keeps_only_desirable_rows(tmp_path):
    raw = {"data": {"train": str(kto_file(tmp_path)), "validation_split": 0}}
    with pytest.raises(InputError, match="data.kto_labels: desirable_only"):
        load_stage_data(validate_recipe(raw))
    raw["data"]["kto_labels"] = "desirable_only"
    train, _ = load_stage_data(validate_recipe(raw))
    assert [m[-1]["content"] for m in train["messages"]] == ["Answer 0.", "Answer 2."]


def test_stage_kto_takes_llama_factory_kto_files(tmp_path):
    recipe = validate_recipe({"data": {"train": str(kto_file(tmp_path)), "validation_split": 0}, "stage": "kto"})
    train, _ = load_stage_data(recipe)
    assert train.column_names == ["prompt", "completion", "label"] and train["label"] == [True, False, True, False]


def test_stage_kto_splits_pairs_into_desirable_and_undesirable_rows(tmp_path):
    pairs = [{"prompt": f"q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(20)]
    path = write_jsonl(tmp_path / "pairs.jsonl", pairs)
    recipe = validate_recipe({"data": {"train": str(path), "validation_split": 0.25}, "stage": "kto"})
    train, validation = load_stage_data(recipe)
    assert (len(train), len(validation)) == (30, 10) and train.column_names == ["prompt", "completion", "label"]
    assert train[0]["prompt"] == train[1]["prompt"] and (train[0]["label"], train[1]["label"]) == (True, False)
    assert train[0]["completion"][0]["content"].startswith("good")
    assert train[1]["completion"][0]["content"].startswith("bad")
    # the split is made on pairs: no prompt is on both sides
    assert not {r["prompt"][0]["content"] for r in train} & {r["prompt"][0]["content"] for r in validation}
    assert sum(validation["label"]) == 5


def test_inspect_says_kto_for_messages_label_and_csv_text_labels(tmp_path, smol_tokenizer):
    found = inspect_file(kto_file(tmp_path), smol_tokenizer)
    assert (found.format, found.records, found.counts) == ("kto", 4, {"desirable": 2, "undesirable": 2})
    assert [text for text, trained in found.first_example if trained] == ["Answer 0.<|im_end|>"]
    csv = tmp_path / "kto.csv"
    csv.write_text("prompt,completion,label\nHi,Hello,true\nHi,Go away,false\n", encoding="utf-8")
    assert inspect_file(csv, smol_tokenizer).format == "kto"  # text labels, as CSV stores them
