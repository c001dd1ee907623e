"""`tunesmith eval RUN` keeps the run's own report unless told to replace it or given another folder."""

from __future__ import annotations

import sys

import pytest

from tunesmith.cli.main import main


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code or 0, " ".join(capsys.readouterr().err.split())


@pytest.fixture
def run(tmp_path):
    """A run folder with the report training wrote (no model: the refusal comes before any loading)."""
    root = tmp_path / "runs" / "demo"
    (root / "eval").mkdir(parents=True)
    (root / "recipe.yaml").write_text(f"data: {{train: {tmp_path / 'd.jsonl'}}}\n", encoding="utf-8")
    (root / "eval" / "report.json").write_text('{"models": ["200 records"]}', encoding="utf-8")
    (tmp_path / "eval.jsonl").write_text('{"prompt": "a", "completion": "b"}\n', encoding="utf-8")
    return root


def test_eval_refuses_to_replace_the_runs_report(run, tmp_path, monkeypatch, capsys):
    code, err = run_cli(monkeypatch, capsys, "eval", str(run), "--data", str(tmp_path / "eval.jsonl"), "--limit", "5")
    assert code == 2
    assert f"error: {run / 'eval'}: already holds an eval report" in err
    assert "--out" in err and "--overwrite" in err
    assert (run / "eval" / "report.json").read_text(encoding="utf-8") == '{"models": ["200 records"]}'


def test_overwrite_gets_past_the_guard(run, tmp_path, monkeypatch, capsys):
    code, err = run_cli(monkeypatch, capsys, "eval", str(run), "--data", str(tmp_path / "eval.jsonl"), "--overwrite")
    assert code == 2 and "already holds" not in err and "no final model yet" in err  # this run has no model
