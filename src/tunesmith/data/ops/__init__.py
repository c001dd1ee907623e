"""Data ops: each module in this package is one op, found by its name, listed in a pipeline YAML.

An op module defines `Config` (a `tunesmith.schema.Strict` subclass: its options) and
`run(dataset, cfg, ctx) -> OpResult`. Most ops decide record by record; they call `map_records` with a
function `record -> (changed columns or None, drop reason or None)` and get counts and examples for free.
Ops that need the whole dataset (dedup, split …) decide a drop reason per index and call `drop_by_reason`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from datasets import Dataset

from tunesmith.data.records import to_output
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.schema import find_module

EXAMPLES = 3  # examples kept per kind of change, for the report
_DROP = "__tunesmith_drop"
_CHANGED = "__tunesmith_changed"


@dataclass
class OpContext:
    """What every op may use: worker processes, progress, the folder relative paths are read from, a seed."""

    num_proc: int = 1
    progress: Progress = SILENT
    base_dir: Path = Path(".")
    seed: int = 0

    def path(self, value: str | Path) -> Path:
        """A path from the pipeline file, read relative to the pipeline's folder."""
        value = Path(value)
        return value if value.is_absolute() else self.base_dir / value


@dataclass
class OpResult:
    """An op's output and what it did: removals by reason, changes, additions, examples and op-specific stats."""

    dataset: Dataset
    removed: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    added: int = 0
    examples: dict[str, list[Any]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    splits: dict[str, Dataset] | None = None  # set by ops that end in several named datasets (split)

    @property
    def kept(self) -> int:
        return len(self.dataset)


def op_module(name: str, where: str = "") -> ModuleType:
    """The module of op `name`; an unknown name is an InputError with a did-you-mean."""
    try:
        return find_module(__name__, name, "op")
    except ValueError as exc:
        raise InputError(where, str(exc)) from None


RecordFn = Callable[[dict], tuple[dict | None, str | None]]


def map_records(dataset: Dataset, fn: RecordFn, ctx: OpContext, desc: str, fingerprint: str | None = None) -> OpResult:
    """Apply `fn` to every record (in `ctx.num_proc` processes): it returns changed columns and a drop reason.

    `fingerprint` names the result for `datasets`' cache instead of a digest of `fn` and its arguments: an op whose
    `fn` holds a secret (the pii op's salt) passes one derived from a keyed hash, so the secret is never hashed.
    """

    if len(dataset) == 0:  # datasets adds no columns when mapping zero rows
        return OpResult(dataset)

    def apply(record: dict) -> dict:
        update, reason = fn(record)
        return {**(update or {}), _CHANGED: bool(update) and reason is None, _DROP: reason or ""}

    marked = dataset.map(apply, num_proc=worker_count(ctx, dataset), desc=desc, new_fingerprint=fingerprint)
    return _finish(dataset, marked)


def drop_by_reason(dataset: Dataset, reasons: list[str | None], ctx: OpContext | None = None) -> OpResult:
    """Keep the records whose reason is None; count and sample the others by reason."""
    marked = dataset.add_column(_DROP, [reason or "" for reason in reasons])
    return _finish(dataset, marked.add_column(_CHANGED, [False] * len(dataset)))


def worker_count(ctx: OpContext, dataset: Dataset) -> int | None:
    """Worker processes worth starting: none for small datasets, where start-up costs more than it saves."""
    return ctx.num_proc if ctx.num_proc > 1 and len(dataset) >= 1000 else None


def _finish(before: Dataset, marked: Dataset) -> OpResult:
    """Counts and examples from the marker columns, then the kept records without them."""
    markers = marked.with_format("arrow").select_columns([_DROP, _CHANGED])[:]  # one columnar read, not row by row
    drops = markers[_DROP].to_pylist()
    changed_at = [i for i, flag in enumerate(markers[_CHANGED].to_pylist()) if flag]
    removed = Counter(reason for reason in drops if reason)
    examples: dict[str, list[Any]] = {}
    if changed_at:
        examples["changed"] = [
            {"before": to_output(before[i]), "after": to_output(_strip(marked[i]))} for i in changed_at[:EXAMPLES]
        ]
    for reason in removed:
        at = [i for i, r in enumerate(drops) if r == reason][:EXAMPLES]
        examples[f"removed: {reason}"] = [to_output(before[i]) for i in at]
    kept = marked.filter(lambda r: not r, input_columns=_DROP) if removed else marked
    return OpResult(kept.remove_columns([_DROP, _CHANGED]), dict(removed), len(changed_at), examples=examples)


def _strip(record: dict) -> dict:
    """A marked record without the marker columns."""
    return {k: v for k, v in record.items() if k not in (_DROP, _CHANGED)}
