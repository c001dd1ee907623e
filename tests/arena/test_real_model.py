"""The arena on the real default model (slow): similar demonstrations beat zero-shot on the quickstart task."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunesmith.arena.config import load_arena
from tunesmith.arena.run import run_arena

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_few_shot_beats_zero_shot_on_quickstart(tmp_path):
    cfg = load_arena(ROOT / "examples" / "arena" / "quickstart.yaml")
    cfg.task = cfg.task.model_copy(update={"limit": 24, "latency_requests": 1})
    cfg.arms = [arm for arm in cfg.arms if arm.kind in ("prompt", "few_shot") and arm.name != "few-shot-random"]
    cfg.judge = None
    report = run_arena(cfg, tmp_path / "arena")
    zero, shots = report["arms"]
    assert (zero["name"], shots["name"]) == ("prompt", "few-shot")
    # the full run (README): 0.382 vs 0.874; on 24 records the gap is far outside either interval
    assert shots["primary"]["low"] > zero["primary"]["high"]
    assert shots["metrics"]["json_valid"] >= zero["metrics"]["json_valid"]
    assert report["recommendation"]["pick"] == "few-shot"
