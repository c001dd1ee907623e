"""The run directory: the fixed layout every training run writes and every reader accepts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tunesmith.errors import InputError


@dataclass(frozen=True)
class RunDir:
    """Paths inside `runs/<name>/`."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))  # a str (TrainResult.run_dir) works too

    @property
    def recipe(self) -> Path:
        return self.root / "recipe.yaml"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def tensorboard(self) -> Path:
        return self.root / "tensorboard"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def final(self) -> Path:
        """The trained adapter (PEFT methods) or whole model (full/freeze), with its tokenizer."""
        return self.root / "final"

    @property
    def loss_plot(self) -> Path:
        return self.root / "loss.png"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def eval_dir(self) -> Path:
        return self.root / "eval"

    def is_adapter(self) -> bool:
        """Whether `final/` holds an adapter (PEFT's, tunesmith's bottleneck adapter or adapter gate) rather than a
        model."""
        markers = ("adapter_config.json", "bottleneck_adapter.json", "adapter_gate.json")
        return any((self.final / marker).is_file() for marker in markers)

    def last_checkpoint(self) -> Path | None:
        """The newest `checkpoint-N` folder that finished writing, if any."""
        found = [p for p in self.checkpoints.glob("checkpoint-*") if (p / "trainer_state.json").is_file()]
        return max(found, key=checkpoint_step, default=None)


def checkpoint_step(checkpoint: Path) -> int:
    """The global step of a `checkpoint-N` folder."""
    return int(checkpoint.name.split("-")[-1])


def is_run_dir(path: str | Path) -> bool:
    """Whether `path` is a finished or in-progress tunesmith run directory."""
    return (Path(path) / "recipe.yaml").is_file()


def open_run(path: str | Path) -> RunDir:
    """A finished run directory; an unfinished one is an InputError saying how to finish it."""
    run = RunDir(Path(path))
    if not run.recipe.is_file():
        raise InputError(str(path), "not a run directory (no recipe.yaml)")
    if not run.final.is_dir():
        raise InputError(str(path), "run has no final model yet; finish it with `tunesmith train RECIPE --resume`")
    return run


def append_jsonl(path: Path, row: dict) -> None:
    """Append one JSON line (flushed at once, so a crash loses at most the line being written)."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()


def read_jsonl(path: Path) -> list[dict]:
    """All complete JSON lines of a metrics-style file (a torn last line from a crash is skipped)."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows
