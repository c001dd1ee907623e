"""The data, generate and help commands, run in-process as a user would type them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tunesmith.cli.main import main


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run `tunesmith ARGS` in-process; return (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
    out, err = capsys.readouterr()
    return code, out, err


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def flat(text: str) -> str:
    """Console output with line wrapping undone (rich wraps at the terminal width)."""
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


ALPACA = [
    {"instruction": "Translate to French", "input": "cat", "output": "chat"},
    {"instruction": "Add", "input": "", "output": "4", "system": "Be terse.", "history": [["Hi", "Hello!"]]},
]


def test_convert_alpaca_to_sharegpt(tmp_path, monkeypatch, capsys):
    src = write_jsonl(tmp_path / "alpaca.jsonl", ALPACA)
    dst = tmp_path / "out" / "sharegpt.jsonl"

    code, out, _ = run_cli(monkeypatch, capsys, "data", "convert", str(src), "--to", "sharegpt", "--out", str(dst))

    assert code == 0
    assert "Wrote 2 records" in flat(out)
    assert read_jsonl(dst) == [
        {"conversations": [{"from": "human", "value": "Translate to French\n\ncat"}, {"from": "gpt", "value": "chat"}]},
        {
            "conversations": [
                {"from": "system", "value": "Be terse."},
                {"from": "human", "value": "Hi"},
                {"from": "gpt", "value": "Hello!"},
                {"from": "human", "value": "Add"},
                {"from": "gpt", "value": "4"},
            ]
        },
    ]


def test_convert_to_unknown_format_exits_2_and_writes_nothing(tmp_path, monkeypatch, capsys):
    src = write_jsonl(tmp_path / "alpaca.jsonl", ALPACA)
    dst = tmp_path / "out.jsonl"

    code, out, err = run_cli(monkeypatch, capsys, "data", "convert", str(src), "--to", "dolly", "--out", str(dst))

    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {dst}: cannot write format 'dolly'; expected one of openai, alpaca, sharegpt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpaca.jsonl"]


def test_inspect_prints_format_counts_and_token_statistics(tmp_path, monkeypatch, capsys, tiny_model_dir):
    from transformers import AutoTokenizer

    rows = [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]},
        {
            "messages": [
                {"role": "system", "content": "Answer in one word."},
                {"role": "user", "content": "What color is the sky on a clear summer day at noon?"},
                {"role": "assistant", "content": "Blue."},
            ]
        },
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
    ]
    src = write_jsonl(tmp_path / "chat.jsonl", rows)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    lengths = [
        len(tokenizer(tokenizer.apply_chat_template(r["messages"], tokenize=False), add_special_tokens=False).input_ids)
        for r in rows
    ]

    code, out, _ = run_cli(monkeypatch, capsys, "data", "inspect", str(src), "--model", str(tiny_model_dir))

    assert code == 0
    text = flat(out)
    assert "format openai, 3 records" in text
    assert "turns by role: user 3, assistant 3, system 1" in text
    stats = dict(re.findall(r"\b(min|mean|p50|p95|max)\b\W+([\d.]+)", text))
    assert int(stats["min"]) == min(lengths)
    assert int(stats["max"]) == max(lengths)
    assert float(stats["mean"]) == round(sum(lengths) / 3, 1)
    assert f"of {sum(lengths):,} (" in text  # trained tokens: N of TOTAL (share)
    assert "Hello!<|im_end|>" in text  # the first example is shown


def test_generate_writes_one_reply_per_prompt(tmp_path, monkeypatch, capsys, tiny_model_dir):
    prompts = write_jsonl(
        tmp_path / "prompts.jsonl",
        [
            {"prompt": "What color is the sky?"},
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}]},
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "old answer"}]},
        ],
    )
    out = tmp_path / "out.jsonl"

    code, stdout, _ = run_cli(
        monkeypatch,
        capsys,
        "generate",
        str(tiny_model_dir),
        "--input",
        str(prompts),
        "--output",
        str(out),
        "--max-new-tokens",
        "4",
    )

    assert code == 0
    assert f"Wrote 3 replies to {out}" in flat(stdout)
    rows = read_jsonl(out)
    assert [r["messages"] for r in rows] == [
        [{"role": "user", "content": "What color is the sky?"}],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}],
        [{"role": "user", "content": "Hi"}],  # the trailing assistant turn is dropped, to be answered anew
    ]
    assert all(isinstance(r["reply"], str) for r in rows)


def test_generate_rejects_a_row_without_prompt_or_messages(tmp_path, monkeypatch, capsys, tiny_model_dir):
    prompts = write_jsonl(tmp_path / "prompts.jsonl", [{"prompt": "Hi"}, {"question": "Where is the prompt?"}])
    out = tmp_path / "out.jsonl"

    code, _, err = run_cli(
        monkeypatch, capsys, "generate", str(tiny_model_dir), "--input", str(prompts), "--output", str(out)
    )

    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == f"error: {prompts}:2: expected a 'prompt' string or a 'messages' list"
    assert not out.exists()


@pytest.mark.parametrize(
    "bad, expected",
    [
        ({"messages": ["hi"]}, "field 'messages[0]' is not a chat turn; expected an object with a role"),
        ({"messages": [{"content": "hi"}]}, "field 'messages[0]' is not a chat turn"),
        ({"messages": [{"role": "user", "content": 5}]}, "field 'messages[0]' is not a chat turn"),
        (
            {"messages": [{"role": "assistant", "content": "hi"}]},
            "field 'messages' has only an assistant turn; expected a turn",
        ),
    ],
)
def test_generate_rejects_malformed_messages(tmp_path, monkeypatch, capsys, tiny_model_dir, bad, expected):
    prompts = write_jsonl(tmp_path / "prompts.jsonl", [{"prompt": "Hi"}, {"prompt": "Yo"}, bad])
    out = tmp_path / "out.jsonl"

    code, _, err = run_cli(
        monkeypatch, capsys, "generate", str(tiny_model_dir), "--input", str(prompts), "--output", str(out)
    )

    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {prompts}:3: {expected}")
    assert not out.exists()


def test_help_lists_every_command(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "--help")

    assert code == 0
    listed = set(re.findall(r"^\W*(\w+)\s{2,}", out, flags=re.MULTILINE))
    assert {"train", "eval", "chat", "generate", "data", "export"} <= listed


KTO = [
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}], "label": True},
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}], "label": False},
]


def test_convert_refuses_kto_labels_unless_desirable_only(tmp_path, monkeypatch, capsys):
    src = write_jsonl(tmp_path / "kto.jsonl", KTO)
    dst = tmp_path / "sft.jsonl"
    args = ("data", "convert", str(src), "--to", "openai", "--out", str(dst))

    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and not dst.exists()
    assert flat(err).startswith(f"error: {src}:1: holds KTO data: field 'label' marks each reply desirable or not")
    assert "--desirable-only" in flat(err)

    code, out, _ = run_cli(monkeypatch, capsys, *args, "--desirable-only")
    assert code == 0 and "Wrote 1 records" in flat(out)
    assert read_jsonl(dst) == [{"messages": KTO[0]["messages"]}]


def test_inspect_counts_records_over_max_length(tmp_path, monkeypatch, capsys, tiny_model_dir):
    long = {"messages": [{"role": "user", "content": "Talk."}, {"role": "assistant", "content": "word " * 80}]}
    src = write_jsonl(tmp_path / "chat.jsonl", [{"messages": KTO[0]["messages"]}, long])

    code, out, _ = run_cli(monkeypatch, capsys, "data", "inspect", str(src), "--model", str(tiny_model_dir))
    assert code == 0 and "over max-length 1,024: none (longest" in flat(out)

    args = ("data", "inspect", str(src), "--model", str(tiny_model_dir), "--max-length", "64")
    code, out, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0
    assert re.search(r"over max-length 64: 1 of 2 records, [\d,]+ tokens cut \([\d,]+ of them trained\)", flat(out))
    assert f"first: {src}: record 2" in flat(out)
