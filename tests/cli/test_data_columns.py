"""`data inspect` and `data convert` take `--columns standard=yours`, as a recipe's `data.columns` does."""

from __future__ import annotations

import json
import sys

import pytest

from tunesmith.cli.main import main

ROWS = [
    {"q": "What color is the sky?", "a": "Blue."},
    {"q": "Capital of France?", "a": "Paris."},
]


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
    out, err = capsys.readouterr()
    return code, " ".join(out.split()), " ".join(err.split())


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_convert_maps_columns(source, tmp_path, monkeypatch, capsys):
    out = tmp_path / "chat.jsonl"
    args = ["data", "convert", str(source), "--to", "openai", "--out", str(out)]

    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "map your columns" in err and not out.exists()

    code, text, _ = run_cli(monkeypatch, capsys, *args, "--columns", "prompt=q", "--columns", "completion=a")
    assert code == 0 and "Wrote 2 records" in text
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["messages"] == [
        {"role": "user", "content": "What color is the sky?"},
        {"role": "assistant", "content": "Blue."},
    ]


def test_inspect_maps_columns(source, monkeypatch, capsys, tiny_model_dir):
    args = ["data", "inspect", str(source), "--model", str(tiny_model_dir), "--columns", "prompt=q"]
    code, text, _ = run_cli(monkeypatch, capsys, *args, "--columns", "completion=a")
    assert code == 0 and "format prompt_completion, 2 records" in text


def test_a_malformed_mapping_says_what_is_expected(source, tmp_path, monkeypatch, capsys):
    out = tmp_path / "chat.jsonl"
    args = ["data", "convert", str(source), "--to", "openai", "--out", str(out), "--columns", "prompt"]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "error: --columns: expected STANDARD=YOURS" in err and not out.exists()
