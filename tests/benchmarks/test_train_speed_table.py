"""bench/train_speed.py's table: each row states its settings and its time against both TRL rows (no training)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench_module(name: str) -> ModuleType:
    """A bench script imported as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def speed() -> ModuleType:
    return _bench_module("train_speed")


def _result(runtime: float, settings: str) -> dict:
    """What a runner returns, with the figures the table reads."""
    return {"runtime": runtime, "settings": settings, "step_times": [1.0, 1.2, 1.1], "tokens_per_s": 500.0,
            "rss_kib": 2048 * 1024, "losses": [0.5, 0.25], "held_out": 0.3}  # fmt: skip


def test_rows_give_time_against_trl_defaults_and_like_for_like(speed):
    trl_rows = {"trl": _result(90.0, speed.settings(True, "bf16")), "trl-nockpt": _result(60.0, "x")}
    row = speed.table_row("quickstart", "tunesmith", _result(30.0, speed.settings(False, "bf16")), trl_rows)
    assert row.startswith("| quickstart | tunesmith | ckpt off, batch 4, seq 256, bf16 | 30.0 | 0.33× | 0.50× |")
    alone = speed.table_row("long", "tunesmith", _result(30.0, "s"), {"trl": trl_rows["trl"]})
    assert "| 0.33× | — |" in alone  # the like-for-like row did not run


def test_summary_names_each_tunesmith_row_against_each_trl_row(speed):
    results = {"tunesmith": _result(30.0, "ckpt off"), "trl": _result(90.0, "ckpt on"), "trl-nockpt": _result(60.0, "")}
    assert speed.summary_lines("long", results) == [
        "long: tunesmith train time (ckpt off) ÷ TRL defaults = 0.33×, ÷ TRL like-for-like = 0.50×"
    ]
    assert speed.summary_lines("long", {"tunesmith": results["tunesmith"]}) == []  # no TRL row: nothing to compare


def test_tools_are_checked_and_include_trl_like_for_like(speed):
    assert speed.tool_list("tunesmith,trl-nockpt") == ["tunesmith", "trl-nockpt"]
    assert {"trl", "trl-nockpt", "llamafactory"} <= set(speed.RUNNERS)
    with pytest.raises(argparse.ArgumentTypeError, match="trl-lfl"):
        speed.tool_list("trl-lfl")


def test_short_runs_log_every_step(speed, monkeypatch):
    monkeypatch.setattr(speed, "STEPS", speed.STEPS)
    monkeypatch.setattr(speed, "LOG_EVERY", speed.LOG_EVERY)
    speed.use_steps(2)
    assert (speed.STEPS, speed.LOG_EVERY) == (2, 1)  # a smoke run still logs losses and step times


def test_trl_row_labels_match_the_installed_trl():
    """The `trl` row is labelled checkpointing on because SFTConfig turns it on by default; `trl-nockpt` turns it
    off. If TRL changes its default, this fails and the table's labels need another look."""
    from trl import SFTConfig

    trl_script = _bench_module("train_speed_trl")
    defaults = SFTConfig(output_dir="unused", use_cpu=True, **trl_script.checkpointing("default"))
    like_for_like = SFTConfig(output_dir="unused", use_cpu=True, **trl_script.checkpointing("off"))
    assert (defaults.gradient_checkpointing, like_for_like.gradient_checkpointing) == (True, False)
