"""What the CLI prints while it works: each finished bar once, named for what it measures, numbers rounded."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from tunesmith.cli.console import RichProgress
from tunesmith.cli.main import main
from tunesmith.config import EvalConfig
from tunesmith.eval.run import evaluate
from tunesmith.models.loading import ModelSource
from tunesmith.progress import Progress


def test_finished_bars_print_once_when_output_is_not_a_terminal():
    out = io.StringIO()
    progress = RichProgress(Console(file=out, width=120))  # a file: not a terminal, as in CI or `| tee`
    for task in ("base (m): eval replies", "tuned (run): eval replies", "tuned (run): probe replies"):
        progress.start(task, 3)
        progress.update(task, 3, loss=0.123456789)
        progress.finish(task)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert [line.split(" ━")[0].strip() for line in lines] == [
        "base (m): eval replies",
        "tuned (run): eval replies",
        "tuned (run): probe replies",
    ]
    assert all(line.rstrip().endswith("loss 0.1235") for line in lines)  # 4 significant digits


class Recorder(Progress):
    def __init__(self):
        self.started: list[tuple[str, int | None]] = []

    def start(self, task, total=None):
        self.started.append((task, total))


def test_eval_bars_name_the_model_and_the_set(tiny_model_dir, chat_file):
    cfg = EvalConfig(metrics=["exact_match"], max_new_tokens=4, limit=2)
    recorder = Recorder()
    evaluate(ModelSource(base=str(tiny_model_dir), label="tuned (tiny)"), chat_file, cfg, recorder)
    assert recorder.started == [("tuned (tiny): eval replies", 2)]


class Echo:
    """A stand-in model that answers every prompt with its first token: the probe's bookkeeping, at no cost."""

    device = "cpu"

    def generate(self, input_ids, **kwargs):
        import torch

        return torch.cat([input_ids, input_ids[:, :1]], dim=1)


def test_limit_caps_the_probe_and_its_bar_names_the_model(smol_tokenizer):
    from tunesmith.eval.probe import load_probe, run_probe

    recorder = Recorder()
    scores, rows = run_probe(Echo(), smol_tokenizer, 16, recorder, limit=3, label="base (m)")
    assert recorder.started == [("base (m): probe replies", 3)] and len(rows) == 3
    names = {
        f"{metric}{language}"
        for metric in ("if_prompt_strict", "if_instruction_strict")
        for language in ("", "_en", "_zh")
    }
    assert len(load_probe()) > 3 and set(scores) == names


def test_version(monkeypatch, capsys):
    from importlib.metadata import version

    monkeypatch.setattr(sys, "argv", ["tunesmith", "--version"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code in (0, None)
    assert capsys.readouterr().out.strip() == f"tunesmith {version('tunesmith')}"
