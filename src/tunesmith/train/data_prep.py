"""Load a recipe's training and validation data as canonical `messages` datasets (one task file or several)."""

from __future__ import annotations

import random
from pathlib import Path

from tunesmith.config import DataConfig
from tunesmith.data.formats import FormatOptions
from tunesmith.data.loading import load_messages, to_dataset
from tunesmith.errors import InputError


def format_options(cfg: DataConfig) -> FormatOptions:
    """The reader options named in the recipe's `data` section."""
    return FormatOptions(columns=dict(cfg.columns), separator=cfg.prompt_separator, stop=cfg.completion_stop)


def load_train_and_validation(cfg: DataConfig, seed: int):
    """(train, validation or None): the validation file if given, else a seeded `validation_split` share.

    With `tasks`, every file is split on its own first (so no validation example is also trained on), then the
    training parts are mixed by `mix_weights` or `mix_temperature`.
    """
    if cfg.tasks:
        return _multi_task(cfg, seed)
    options = format_options(cfg)
    _, rows = load_messages(cfg.train, cfg.format, options)
    train = to_dataset(rows)
    if cfg.validation is not None:
        _, val_rows = load_messages(cfg.validation, cfg.format, options)
        return train, to_dataset(val_rows)
    if cfg.validation_split > 0 and len(train) >= 10:
        split = train.train_test_split(test_size=cfg.validation_split, seed=seed)
        return split["train"], split["test"]
    return train, None


def _multi_task(cfg: DataConfig, seed: int):
    from tunesmith.data.ops.mix import sample_sources, source_shares

    paths = [cfg.train, *cfg.tasks]
    names = [Path(p).stem for p in paths]
    if len(set(names)) != len(names):
        raise InputError("data.tasks", f"task files need distinct names (file stems), got {names}")
    options = format_options(cfg)
    rng = random.Random(seed)
    groups: dict[str, list[dict]] = {}
    validation: list[dict] = []
    for name, path in zip(names, paths):
        rows = load_messages(path, cfg.format, options)[1]
        rng.shuffle(rows)
        held = int(len(rows) * cfg.validation_split) if cfg.validation is None and len(rows) >= 10 else 0
        validation += rows[:held]
        groups[name] = rows[held:]
    sizes = {name: len(rows) for name, rows in groups.items()}
    shares = source_shares(sizes, cfg.mix_weights, cfg.mix_temperature, "data.mix_weights")
    train = to_dataset(sample_sources(groups, shares, sum(sizes.values()), rng))
    if cfg.validation is not None:
        return train, to_dataset(load_messages(cfg.validation, cfg.format, options)[1])
    return train, to_dataset(validation) if validation else None
