"""A job's folder under the fine-tuning root: its recipe, the run it trains, copied checkpoints, outcome files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class JobFolder:
    """Paths inside `<root>/jobs/<job id>/`."""

    root: Path

    @property
    def recipe(self) -> Path:
        return self.root / "recipe.yaml"

    @property
    def run(self) -> Path:
        """The run directory `tunesmith train` writes (checkpoints, metrics, final adapter)."""
        return self.root / "run"

    @property
    def checkpoints(self) -> Path:
        """One adapter per epoch, kept for the job's checkpoints (the run keeps only its latest)."""
        return self.root / "checkpoints"

    def checkpoint(self, step: int) -> Path:
        return self.checkpoints / f"step-{step}"

    @property
    def outcome(self) -> Path:
        """What the worker wrote when it ended: `{"result": …}` or `{"error": {code, message, param}}`."""
        return self.root / "outcome.json"

    @property
    def log(self) -> Path:
        """The worker's stdout and stderr (for the operator; never served)."""
        return self.root / "worker.log"


def job_folder(root: Path, job_id: str) -> JobFolder:
    return JobFolder(Path(root) / "jobs" / job_id)
