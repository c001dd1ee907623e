"""Mean ± spread over repeated runs, and `tunesmith eval --seeds` refusing what would repeat identical numbers."""

from __future__ import annotations

import json
import statistics
import sys

import pytest

from tunesmith.cli.main import main
from tunesmith.eval.seeds import SUMMARY, SUMMARY_MD, seed_runs, spread, write_summary


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    captured = capsys.readouterr()
    return exc.value.code or 0, " ".join((captured.out + captured.err).split())


def test_spread_is_mean_sample_std_and_range():
    values = [0.275, 0.375, 0.3]
    found = spread(values)
    assert found["mean"] == pytest.approx(statistics.mean(values))
    assert found["std"] == pytest.approx(statistics.stdev(values))
    assert (found["min"], found["max"], found["n"]) == (0.275, 0.375, 3)
    assert spread([0.5])["std"] is None  # one run has no spread


def test_summary_covers_each_metric_over_the_runs_that_have_it(tmp_path):
    entries = [
        {"seed": 1, "run": "a", "metrics": {"exact_match": 0.5, "val_loss": 2.0}},
        {"seed": 2, "run": "b", "metrics": {"exact_match": 0.7, "val_loss": None}},
    ]
    summary = write_summary(tmp_path, entries, "test")
    assert summary["metrics"]["exact_match"]["mean"] == pytest.approx(0.6)
    assert summary["metrics"]["val_loss"]["n"] == 1
    assert json.loads((tmp_path / SUMMARY).read_text()) == summary
    md = (tmp_path / SUMMARY_MD).read_text()
    assert "| exact_match | 0.600 ± 0.141 | 0.500–0.700 | 0.500 | 0.700 |" in md


def test_seed_runs_are_the_seed_folders_that_hold_runs_in_seed_order(tmp_path):
    for name in ("seed-10", "seed-9", "seed-x", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "recipe.yaml").write_text("")
    (tmp_path / "seed-11").mkdir()  # no run in it
    assert [p.name for p in seed_runs(tmp_path)] == ["seed-9", "seed-10"]


def test_eval_seeds_refuses_a_single_run_or_model(tmp_path, monkeypatch, capsys, tiny_model_dir):
    run = tmp_path / "runs" / "demo"
    run.mkdir(parents=True)
    (run / "recipe.yaml").write_text(f"data: {{train: {tmp_path / 'd.jsonl'}}}\n", encoding="utf-8")
    for model in (run, tiny_model_dir):
        code, err = run_cli(monkeypatch, capsys, "eval", str(model), "--seeds", "2")
        assert code == 2 and "decodes greedily" in err and "--seeds N" in err
    assert not (run / "eval").exists()


def test_eval_seeds_refuses_more_runs_than_the_folder_holds_and_zero(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "tiny-seeds"
    (folder / "seed-1").mkdir(parents=True)
    (folder / "seed-1" / "recipe.yaml").write_text("data: {train: d.jsonl}\n")
    code, err = run_cli(monkeypatch, capsys, "eval", str(folder), "--seeds", "2")
    assert code == 2 and "holds 1 seed runs, fewer than --seeds 2" in err
    code, err = run_cli(monkeypatch, capsys, "eval", str(folder), "--seeds", "0")
    assert code == 2 and "--seeds" in err
