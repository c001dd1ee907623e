"""Split into train and validation sets (default 90/10), stratified by a meta key or column when asked."""

from __future__ import annotations

import random
from collections import defaultdict

from pydantic import Field

from tunesmith.data.ops import OpContext, OpResult
from tunesmith.data.records import get_meta
from tunesmith.errors import InputError
from tunesmith.schema import Strict


class Config(Strict):
    validation: float = Field(0.1, gt=0, lt=1)
    stratify: str | None = None  # a meta key (e.g. category) or a column; each value is split in the same ratio


def run(dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Seeded split; with `stratify`, every group gives the same share (at least one record once it has two)."""
    if len(dataset) < 2:
        raise InputError("split", f"needs at least 2 records to split, got {len(dataset)}")
    groups: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(_keys(dataset, cfg.stratify)):
        groups[key].append(index)
    rng = random.Random(ctx.seed)
    validation: list[int] = []
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        take = round(len(members) * cfg.validation)
        validation += members[: max(take, 1) if len(members) >= 2 else take]
    chosen = set(validation)
    train = [i for i in range(len(dataset)) if i not in chosen]
    splits = {"train": dataset.select(train), "validation": dataset.select(sorted(validation))}
    stats = {"train": len(train), "validation": len(validation), "groups": len(groups) if cfg.stratify else None}
    return OpResult(splits["train"], stats=stats, splits=splits)


def _keys(dataset, column: str | None) -> list[str]:
    """The stratification value of every record ('' when not stratifying or absent)."""
    if column is None:
        return [""] * len(dataset)
    if column in dataset.column_names:
        return [str(value) for value in dataset[column]]
    return [str(get_meta({"meta": meta}).get(column, "")) for meta in dataset["meta"]]
