"""Training data in one home: a recipe's `data` section becomes (train, validation) in the shape a stage needs.

A stage declares its shape (`Chat`, `Preference`, `Prompts` or `Text`); only this module reads the files, detects
their formats and splits off validation data, so no stage reads JSON itself. Validation is the `validation` file
when given, else a seeded `validation_split` share of the training file (with ten records or more).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from datasets import Dataset

from tunesmith.config import DataConfig
from tunesmith.data.formats import FormatOptions
from tunesmith.errors import InputError


@dataclass(frozen=True)
class Chat:
    """`messages` conversations (SFT); `cached`: read back from a content-addressed copy (data/cache.py)."""

    cached: bool = True


@dataclass(frozen=True)
class Preference:
    """prompt/chosen/rejected pairs; `unpaired` (KTO): prompt/completion/label rows, read as such or split from pairs
    (chosen → label true, rejected → false, after the validation split so a pair stays on one side). `stage` is for
    errors."""

    stage: str
    unpaired: bool = False


@dataclass(frozen=True)
class Prompts:
    """A conversational `prompt` per record (online RL, distillation), plus `columns` its rewards read."""

    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Text:
    """Plain `text` (continued pretraining): documents, or JSON records with a `text` field."""

    min_characters: int = 1


DataShape = Chat | Preference | Prompts | Text


class TrainingData(NamedTuple):
    """The training set and the validation set (None when there is none)."""

    train: Dataset
    validation: Dataset | None


Lengths = Callable[[str, list[dict]], list[dict]]  # (file, its rows) -> the rows kept: data/lengths.py LengthLimit


def load_training_data(data: DataConfig, shape: DataShape, seed: int, lengths: Lengths | None = None) -> TrainingData:
    """The recipe's data in `shape`; any bad record is an InputError naming file, line and field.

    `lengths`, for chat data, sees each file's rows before they are split or mixed, so it can name a record's line
    (records over `train.max_length`: data/lengths.py)."""
    if isinstance(shape, Chat):
        return _chat(data, seed, shape.cached, lengths)
    if data.tasks:
        raise InputError("data.tasks", "several task files are mixed for chat SFT only; give one data.train file")
    if isinstance(shape, Preference):
        loaded = split_validation(data, seed, lambda path: _preference(path, data, shape))
        return TrainingData(*(_unpaired(part) for part in loaded)) if shape.unpaired else loaded
    if isinstance(shape, Prompts):
        from tunesmith.data.prompts import prompt_dataset

        options, columns = format_options(data), list(shape.columns)
        return split_validation(data, seed, lambda path: prompt_dataset(path, data.format, options, columns))
    from tunesmith.data.text import text_dataset

    return split_validation(data, seed, lambda path: text_dataset(path, shape.min_characters))


def format_options(data: DataConfig) -> FormatOptions:
    """The reader options named in the recipe's `data` section."""
    return FormatOptions(
        columns=dict(data.columns),
        separator=data.prompt_separator,
        stop=data.completion_stop,
        kto_labels=data.kto_labels,
    )


def split_validation(data: DataConfig, seed: int, load: Callable[[Path], Dataset]) -> TrainingData:
    """`load(data.validation)` if given, else a seeded `validation_split` share of `load(data.train)`."""
    train = load(data.train)
    if data.validation is not None:
        return TrainingData(train, load(data.validation))
    if data.validation_split > 0 and len(train) >= 10:
        split = train.train_test_split(test_size=data.validation_split, seed=seed)
        return TrainingData(split["train"], split["test"])
    return TrainingData(train, None)


def _chat(data: DataConfig, seed: int, cached: bool, lengths: Lengths | None) -> TrainingData:
    from tunesmith.data.loading import to_dataset

    if data.tasks:
        loaded = _multi_task(data, seed, lengths)
    else:
        loaded = split_validation(data, seed, lambda path: to_dataset(_chat_rows(path, data, lengths)))
    if not cached:
        return loaded
    from tunesmith.data.cache import on_disk

    return TrainingData(on_disk(loaded.train), None if loaded.validation is None else on_disk(loaded.validation))


def _chat_rows(path: Path, data: DataConfig, lengths: Lengths | None) -> list[dict]:
    """The file's chat rows ({"where", "messages", …}), passed through `lengths` when given."""
    from tunesmith.data.loading import load_located

    rows = load_located(path, data.format, format_options(data))[1]
    return rows if lengths is None else lengths(str(path), rows)


def _multi_task(data: DataConfig, seed: int, lengths: Lengths | None) -> TrainingData:
    """Each task file split on its own first (no validation example is also trained on), then mixed by the weights."""
    from tunesmith.data.loading import to_dataset
    from tunesmith.data.ops.mix import sample_sources, source_shares

    paths = [data.train, *data.tasks]
    names = [Path(p).stem for p in paths]
    if len(set(names)) != len(names):
        raise InputError("data.tasks", f"task files need distinct names (file stems), got {names}")
    rng = random.Random(seed)
    groups: dict[str, list[dict]] = {}
    validation: list[dict] = []
    for name, path in zip(names, paths):
        rows = _chat_rows(path, data, lengths)
        rng.shuffle(rows)
        held = int(len(rows) * data.validation_split) if data.validation is None and len(rows) >= 10 else 0
        validation += rows[:held]
        groups[name] = rows[held:]
    sizes = {name: len(rows) for name, rows in groups.items()}
    shares = source_shares(sizes, data.mix_weights, data.mix_temperature, "data.mix_weights")
    train = to_dataset(sample_sources(groups, shares, sum(sizes.values()), rng))
    if data.validation is not None:
        return TrainingData(train, to_dataset(_chat_rows(data.validation, data, lengths)))
    return TrainingData(train, to_dataset(validation) if validation else None)


def _preference(path: Path, data: DataConfig, shape: Preference) -> Dataset:
    from tunesmith.data.preference import load_preference, to_preference_dataset

    loaded = load_preference(path, data.format, format_options(data))
    if not loaded.paired and not shape.unpaired:
        raise InputError(
            str(path),
            f"holds unpaired {loaded.format} data (replies with a true/false label); expected pairs (prompt, chosen, "
            f"rejected) for stage {shape.stage}, or use stage: kto, which trains on unpaired data",
        )
    return to_preference_dataset(loaded.rows)


def _unpaired(dataset: Dataset | None) -> Dataset | None:
    """Pairs split into KTO's unpaired rows (tunesmith.data.preference.unpair); unpaired rows unchanged."""
    if dataset is None or "label" in dataset.column_names:
        return dataset
    from tunesmith.data.preference import to_preference_dataset, unpair

    return to_preference_dataset(unpair(dataset.to_list()))
