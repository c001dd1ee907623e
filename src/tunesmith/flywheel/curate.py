"""Curate the exported training rows with data-studio ops (by default: exact and near dedup, then PII masking)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tunesmith.atomic import atomic_path, write_text
from tunesmith.data.ops import OpContext
from tunesmith.data.pipeline import Step, apply_steps, write_dataset
from tunesmith.data.sources import InputSpec, read_input
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress


@dataclass
class Curated:
    """How many rows went in and came out, and one summary per op (as in a data-studio report)."""

    path: Path
    rows_in: int
    rows_out: int
    ops: list[dict]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """`rows` as JSON lines, atomically."""
    write_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def curate(
    export: Path, steps: list[Step], out: Path, seed: int = 0, progress: Progress = SILENT, where: str = "curate"
) -> Curated:
    """Apply `steps` to the SFT rows in `export`; write the kept rows to `out` (atomically)."""
    with tempfile.TemporaryDirectory(prefix="tunesmith-flywheel-") as work:
        dataset = read_input(InputSpec(path=str(export), name="log"), cache_dir=Path(work))
        ctx = OpContext(progress=progress, base_dir=Path("."), seed=seed)
        outputs, summaries = apply_steps(dataset, steps, ctx)
        kept = outputs["data"]
        if len(kept) == 0:
            raise InputError(where, f"the curate ops removed all {len(dataset)} exported rows; nothing to train on")
        with atomic_path(out) as tmp:
            write_dataset(kept, tmp)
    return Curated(out, len(dataset), len(kept), summaries)
