"""Bad input on the command line: one `error: WHERE: WHAT` line on stderr, exit status 2, no run directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tunesmith.cli.main import main

QUESTIONS = [("What color is the sky?", "Blue."), ("What is 2 + 3?", "5"), ("Capital of France?", "Paris.")]


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run `tunesmith ARGS` in-process; return (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    code = exc.value.code
    return (0 if code is None else code), out, err


def error_line(err: str) -> str:
    """The single error line on stderr (fails if there is more than one line)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one error line, got: {err!r}"
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def chat_rows(n: int = 4) -> list[dict]:
    return [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in (QUESTIONS * 3)[:n]
    ]


@pytest.fixture
def project(tmp_path, monkeypatch, tiny_model_dir):
    """A tmp working folder with a helper that writes a recipe for the tiny model; runs go to tmp/runs."""
    monkeypatch.chdir(tmp_path)
    runs = tmp_path / "runs"

    def recipe(train_file: Path, **sections) -> Path:
        raw = {
            "model": str(tiny_model_dir),
            "data": {"train": str(train_file), "validation_split": 0.0},
            "method": {"name": "lora", "r": 4, "alpha": 8},
            "train": {"max_steps": 1, "batch_size": 2},
            "output": {"dir": str(runs), "name": "tiny"},
        }
        for key, value in sections.items():
            raw[key] = {**raw[key], **value} if isinstance(value, dict) else value
        path = tmp_path / "recipe.yaml"
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        return path

    return recipe, runs


def test_broken_jsonl_line_names_file_and_line(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    data = write_jsonl(tmp_path / "train.jsonl", chat_rows(4))
    lines = data.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:-5]  # cut off the closing brackets of line 3
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, _, err = run_cli(monkeypatch, capsys, "train", str(recipe(data)))

    assert code == 2
    line = error_line(err)
    assert line.startswith(f"{data}:3: ")
    assert "not valid JSON" in line and "expected one JSON object per line" in line
    assert not runs.exists()


def test_record_without_assistant_reply_names_the_record(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    rows = chat_rows(4)
    rows[1] = {"messages": [{"role": "user", "content": "Hello?"}]}
    data = write_jsonl(tmp_path / "train.jsonl", rows)

    code, _, err = run_cli(monkeypatch, capsys, "train", str(recipe(data)))

    assert code == 2
    line = error_line(err)
    assert line.startswith(f"{data}:2: ")
    assert "no assistant reply" in line and "expected an assistant message" in line
    assert not runs.exists()


def test_empty_data_file(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    data = tmp_path / "train.jsonl"
    data.write_text("", encoding="utf-8")

    code, _, err = run_cli(monkeypatch, capsys, "train", str(recipe(data)))

    assert code == 2
    assert error_line(err) == f"{data}: no records; expected at least one"
    assert not runs.exists()


def test_unknown_recipe_key_suggests_the_right_one(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    data = write_jsonl(tmp_path / "train.jsonl", chat_rows())
    path = recipe(data, train={"learning_rat": 1e-4})

    code, _, err = run_cli(monkeypatch, capsys, "train", str(path))

    assert code == 2
    line = error_line(err)
    assert line.startswith(f"{path}: key 'train.learning_rat': unknown key")
    assert "did you mean 'learning_rate'?" in line
    assert "known here:" in line and "batch_size" in line
    assert not runs.exists()


def test_unknown_model_lists_aliases_folder_and_hub_id(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    data = write_jsonl(tmp_path / "train.jsonl", chat_rows())

    code, _, err = run_cli(monkeypatch, capsys, "train", str(recipe(data, model="no-such-model")))

    assert code == 2
    line = error_line(err)
    assert line.startswith("model 'no-such-model': ")
    assert "smollm2-135m" in line  # the aliases
    assert "folder" in line and "hub id" in line
    assert not runs.exists()


def test_bad_override_value_names_the_key(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    data = write_jsonl(tmp_path / "train.jsonl", chat_rows())
    path = recipe(data)

    code, _, err = run_cli(monkeypatch, capsys, "train", str(path), "train.learning_rate=abc")

    assert code == 2
    line = error_line(err)
    assert line.startswith(f"{path}: key 'train.learning_rate': expected ")
    assert "valid number" in line and line.endswith("got 'abc'")
    assert not runs.exists()


def test_existing_run_dir_needs_resume_or_overwrite(project, tmp_path, monkeypatch, capsys):
    recipe, runs = project
    data = write_jsonl(tmp_path / "train.jsonl", chat_rows())
    existing = runs / "tiny"
    existing.mkdir(parents=True)
    (existing / "recipe.yaml").write_text("model: earlier\n", encoding="utf-8")
    (existing / "metrics.jsonl").write_text('{"step": 1, "loss": 2.5}\n', encoding="utf-8")
    before = {p.relative_to(runs): p.read_bytes() for p in runs.rglob("*") if p.is_file()}

    code, _, err = run_cli(monkeypatch, capsys, "train", str(recipe(data)))

    assert code == 2
    line = error_line(err)
    assert line.startswith(f"output '{existing}': run directory already exists")
    assert "--resume" in line and "--overwrite" in line
    after = {p.relative_to(runs): p.read_bytes() for p in runs.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in runs.iterdir()) == ["tiny"]
