"""Records over `max_length` tokens are measured as TRL tokenizes them, counted, and truncated, dropped or refused."""

from __future__ import annotations

import pytest

from tests.conftest import write_jsonl
from tunesmith.config import validate_recipe
from tunesmith.data.inspect import inspect_file
from tunesmith.data.lengths import LengthLimit, token_lengths
from tunesmith.errors import InputError
from tunesmith.models.templates import assistant_token_mask, training_template
from tunesmith.train.setup import load_stage_data


class Notes:
    """A progress helper that keeps its notes."""

    def __init__(self):
        self.notes: list[str] = []

    def note(self, message: str) -> None:
        self.notes.append(message)


def chat(question: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


SHORT = [chat(f"Question {i}?", f"Answer {i}.") for i in range(6)]
LONG = chat("Tell me everything.", "word " * 200)  # about 240 tokens under SmolLM2's template


def trl_length(tokenizer, row: dict) -> int:
    """The length TRL's SFTTrainer gives the row: apply_chat_template(tokenize=True), as its tokenize step does."""
    return len(tokenizer.apply_chat_template(row["messages"], tokenize=True, return_dict=True)["input_ids"])


@pytest.fixture
def mixed_file(tmp_path):
    """Eight records: two long ones, on lines 3 and 7."""
    rows = SHORT[:2] + [LONG] + SHORT[2:5] + [chat("More?", "more " * 100)] + SHORT[5:]
    return write_jsonl(tmp_path / "chat.jsonl", rows)


def recipe_for(path, overlong: str, max_length: int = 64):
    return validate_recipe(
        {"data": {"train": str(path), "validation_split": 0}, "train": {"max_length": max_length, "overlong": overlong}}
    )


def limit(tokenizer, recipe, notes):
    return LengthLimit(tokenizer, recipe.train.max_length, recipe.train.overlong, notes)


def test_lengths_match_trl_tokenization(smol_tokenizer):
    rows = [*SHORT, LONG, chat("中国的首都是哪里？", "北京。")]
    assert token_lengths(smol_tokenizer, rows) == [trl_length(smol_tokenizer, row) for row in rows]


def test_truncate_keeps_every_record_and_warns_with_counts(mixed_file, smol_tokenizer):
    notes = Notes()
    lengths = limit(smol_tokenizer, recipe_for(mixed_file, "truncate"), notes)
    train, _ = load_stage_data(recipe_for(mixed_file, "truncate"), lengths=lengths)
    assert len(train) == 8
    counts = lengths.found[str(mixed_file)]
    long_lengths = [trl_length(smol_tokenizer, LONG), trl_length(smol_tokenizer, chat("More?", "more " * 100))]
    assert (counts.records, counts.overlong, counts.dropped) == (8, 2, 0)
    assert counts.tokens_lost == sum(n - 64 for n in long_lengths) and counts.longest == max(long_lengths)
    assert counts.first == (f"{mixed_file}:3", long_lengths[0])
    assert notes.notes == [
        f"warning: {mixed_file}: 2 of 8 records are over train.max_length (64 tokens; longest {max(long_lengths)}, "
        f"first at {mixed_file}:3); truncated to 64 tokens, losing {counts.tokens_lost} tokens "
        "(train.overlong: drop or fail to skip or refuse them)"
    ]


def test_drop_leaves_out_overlong_records_and_says_how_many(mixed_file, smol_tokenizer):
    notes = Notes()
    recipe = recipe_for(mixed_file, "drop")
    lengths = limit(smol_tokenizer, recipe, notes)
    train, _ = load_stage_data(recipe, lengths=lengths)
    assert [m[0]["content"] for m in train["messages"]] == [r["messages"][0]["content"] for r in SHORT]
    assert lengths.found[str(mixed_file)].dropped == 2
    assert len(notes.notes) == 1 and notes.notes[0].endswith("dropped them (train.overlong: drop)")


def test_fail_names_file_line_and_length(mixed_file, smol_tokenizer):
    recipe = recipe_for(mixed_file, "fail")
    with pytest.raises(InputError) as err:
        load_stage_data(recipe, lengths=limit(smol_tokenizer, recipe, Notes()))
    assert err.value.where == f"{mixed_file}:3"
    length = trl_length(smol_tokenizer, LONG)
    assert err.value.message.startswith(
        f"record is {length} tokens long, over train.max_length (64); expected at most 64 tokens (2 of 8 records"
    )


def test_records_within_the_limit_pass_silently(mixed_file, smol_tokenizer):
    notes = Notes()
    recipe = recipe_for(mixed_file, "fail", max_length=1024)
    lengths = limit(smol_tokenizer, recipe, notes)
    train, _ = load_stage_data(recipe, lengths=lengths)
    assert len(train) == 8 and notes.notes == [] and lengths.found[str(mixed_file)].overlong == 0


def test_validation_file_is_checked_too(tmp_path, smol_tokenizer):
    train_file = write_jsonl(tmp_path / "train.jsonl", SHORT)
    validation = write_jsonl(tmp_path / "validation.jsonl", [SHORT[0], LONG])
    recipe = validate_recipe(
        {
            "data": {"train": str(train_file), "validation": str(validation)},
            "train": {"max_length": 64, "overlong": "fail"},
        }
    )
    with pytest.raises(InputError) as err:
        load_stage_data(recipe, lengths=limit(smol_tokenizer, recipe, Notes()))
    assert err.value.where == f"{validation}:2"


def test_drop_of_every_record_is_an_error(tmp_path, smol_tokenizer):
    path = write_jsonl(tmp_path / "long.jsonl", [LONG, LONG])
    recipe = recipe_for(path, "drop")
    with pytest.raises(InputError, match="every record is over train.max_length"):
        load_stage_data(recipe, lengths=limit(smol_tokenizer, recipe, Notes()))


def test_inspect_counts_records_over_max_length_and_the_tokens_cut(mixed_file, smol_tokenizer):
    found = inspect_file(mixed_file, smol_tokenizer, max_length=64)
    over = found.overlong
    template = training_template(smol_tokenizer)
    rows = [LONG, chat("More?", "more " * 100)]
    masks = [assistant_token_mask(smol_tokenizer, row["messages"], template)[1] for row in rows]
    assert (over.records, over.overlong) == (8, 2)
    assert over.tokens_lost == sum(len(mask) - 64 for mask in masks)
    assert over.trained_tokens_lost == sum(sum(mask[64:]) for mask in masks)
    assert over.first == (f"{mixed_file}: record 3", len(masks[0]))
    assert inspect_file(mixed_file, smol_tokenizer).overlong.overlong == 0  # the default: the recipe's 1024


def test_inspect_counts_overlong_records_with_no_trained_token_left(tmp_path, smol_tokenizer):
    path = write_jsonl(tmp_path / "long_prompt.jsonl", [chat("word " * 100, "Yes.")])
    over = inspect_file(path, smol_tokenizer, max_length=32).overlong
    assert over.overlong == 1 and over.emptied == 1  # TRL would leave it out of training altogether
