"""Every shipped arena file validates, its files exist, and its fine-tuned arms name recipes that validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunesmith.arena.config import FineTunedArm, load_arena, output_folder
from tunesmith.config import load_recipe
from tunesmith.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
ARENAS = sorted(p for p in (ROOT / "examples" / "arena").glob("*.yaml") if p.name != "manuals_v2.yaml")


@pytest.mark.parametrize("path", ARENAS, ids=lambda p: p.name)
def test_every_shipped_arena_validates(path):
    cfg = load_arena(path)
    for name in ("eval", "train", "knowledge"):
        value = getattr(cfg.task, name)
        assert value is None or value.is_file(), f"{path.name}: task.{name} {value}"
    for arm in cfg.arms:
        if isinstance(arm, FineTunedArm) and arm.recipe is not None:
            load_recipe(arm.recipe)
    assert output_folder(cfg, path) == Path("runs") / f"{path.stem}-arena"


def test_unknown_primary_score_suggests_the_known_ones(tmp_path):
    (tmp_path / "e.jsonl").write_text("", encoding="utf-8")
    text = "task: {eval: e.jsonl, metrics: [json], primary: field_acuracy}\narms: [{name: p, kind: prompt}]\n"
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'field_accuracy'"):
        load_arena(tmp_path / "a.yaml")
