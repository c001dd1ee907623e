"""Load a recipe's training and validation data as canonical `messages` datasets."""

from __future__ import annotations

from tunesmith.config import DataConfig
from tunesmith.data.formats import FormatOptions
from tunesmith.data.loading import load_messages, to_dataset


def format_options(cfg: DataConfig) -> FormatOptions:
    """The reader options named in the recipe's `data` section."""
    return FormatOptions(columns=dict(cfg.columns), separator=cfg.prompt_separator, stop=cfg.completion_stop)


def load_train_and_validation(cfg: DataConfig, seed: int):
    """(train, validation or None): the validation file if given, else a seeded `validation_split` share."""
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
