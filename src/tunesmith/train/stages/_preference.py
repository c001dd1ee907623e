"""Loading preference data for the offline preference stages (dpo, orpo, simpo, kto, reward)."""

from __future__ import annotations

from pathlib import Path

from tunesmith.config import Recipe
from tunesmith.data.preference import load_preference, to_preference_dataset
from tunesmith.errors import InputError
from tunesmith.train.data_prep import format_options
from tunesmith.train.stages._common import train_and_validation


def load_preference_datasets(recipe: Recipe, unpaired_ok: bool = False):
    """(train, validation or None) in TRL's conversational preference columns; paired data unless `unpaired_ok`."""
    return train_and_validation(recipe, lambda path: _load(path, recipe, unpaired_ok))


def _load(path: Path, recipe: Recipe, unpaired_ok: bool):
    data = load_preference(path, recipe.data.format, format_options(recipe.data))
    if not data.paired and not unpaired_ok:
        raise InputError(
            str(path),
            f"holds unpaired {data.format} data (prompt, completion, label); expected pairs (prompt, chosen, rejected) "
            f"for stage {recipe.stage.name}, or use stage: kto, which trains on unpaired data",
        )
    return to_preference_dataset(data.rows)
