"""`inspect_file` measures a data file the way training sees it: token lengths and which tokens are trained."""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.data.inspect import inspect_file


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def rendered_length(tokenizer, messages: list[dict]) -> int:
    """Tokens of a conversation under the tokenizer's own chat template (independent of tunesmith's)."""
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    return len(tokenizer(text, add_special_tokens=False).input_ids)


def trained_text(segments: list[tuple[str, bool]]) -> list[str]:
    return [text for text, trained in segments if trained]


def untrained_text(segments: list[tuple[str, bool]]) -> str:
    return "".join(text for text, trained in segments if not trained)


def test_first_example_trains_only_the_assistant_reply(tmp_path, smol_tokenizer):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "What color is the sky?"},
                {"role": "assistant", "content": "Blue."},
            ]
        },
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
    ]
    found = inspect_file(write_jsonl(tmp_path / "chat.jsonl", rows), smol_tokenizer)

    assert trained_text(found.first_example) == ["Blue.<|im_end|>"]
    assert "What color is the sky?" in untrained_text(found.first_example)
    assert "<|im_start|>assistant\n" in untrained_text(found.first_example)
    # the segments are the whole rendered conversation, in order, with nothing lost
    assert "".join(text for text, _ in found.first_example) == smol_tokenizer.apply_chat_template(
        rows[0]["messages"], tokenize=False
    )


def test_assistant_turn_with_weight_zero_is_not_trained(tmp_path, smol_tokenizer):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Wrong answer.", "weight": 0},
                {"role": "user", "content": "Try again"},
                {"role": "assistant", "content": "Right answer.", "weight": 1},
            ]
        }
    ]
    found = inspect_file(write_jsonl(tmp_path / "weighted.jsonl", rows), smol_tokenizer, "openai")

    assert found.format == "openai"
    assert trained_text(found.first_example) == ["Right answer.<|im_end|>"]
    assert "Wrong answer.<|im_end|>" in untrained_text(found.first_example)
    reply_tokens = len(smol_tokenizer("Right answer.<|im_end|>", add_special_tokens=False).input_ids)
    assert found.trained_tokens == reply_tokens


def test_counts_and_token_lengths_of_a_small_file(tmp_path, smol_tokenizer):
    conversations = [
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
        [
            {"role": "system", "content": "You answer in one word."},
            {"role": "user", "content": "Which planet is the largest one in our solar system, by mass?"},
            {"role": "assistant", "content": "Jupiter."},
            {"role": "user", "content": "And the smallest?"},
            {"role": "assistant", "content": "Mercury."},
        ],
        [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
    ]
    path = write_jsonl(tmp_path / "three.jsonl", [{"messages": m} for m in conversations])
    lengths = [rendered_length(smol_tokenizer, m) for m in conversations]
    replies = [m["content"] for c in conversations for m in c if m["role"] == "assistant"]
    reply_tokens = sum(len(smol_tokenizer(r + "<|im_end|>", add_special_tokens=False).input_ids) for r in replies)

    found = inspect_file(path, smol_tokenizer)

    assert found.path == str(path)
    assert found.format == "openai"
    assert found.records == 3
    assert found.turns == {"user": 4, "assistant": 4, "system": 1}
    assert len(set(lengths)) == 3  # three distinct lengths, so min/max/p50 are each a different record
    assert found.token_lengths["min"] == min(lengths)
    assert found.token_lengths["max"] == max(lengths)
    assert found.token_lengths["p50"] == sorted(lengths)[1]
    assert found.token_lengths["mean"] == round(sum(lengths) / 3, 1)
    assert found.total_tokens == sum(lengths)
    assert found.trained_tokens == reply_tokens
