"""The UI's workspace: one folder holding the data, runs, jobs, tasks and traffic the pages work on.

Every path a request names is relative to the workspace and is confined to it (symlinks resolved first); a path
outside it is the same "not found" as a missing one, so a client learns nothing about the rest of the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

AREAS = ("data", "runs", "jobs", "tasks", "exports", "configs")


class OutsideWorkspace(ValueError):
    """A requested path that is missing or not inside the workspace (one error for both, on purpose)."""

    def __init__(self, given: str):
        super().__init__(f"no such file in the workspace: {given!r}")
        self.given = given


@dataclass(frozen=True)
class Workspace:
    """`root/` with `data/` (datasets), `runs/` (training runs), `jobs/` (the job runner's jobs), `tasks/` (UI
    tasks: eval, export, arena, data pipelines, flywheel turns), `exports/`, `configs/` and `traffic.db`."""

    root: Path

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """The workspace at `root`, its folders made if missing."""
        path = Path(root).expanduser().resolve()
        for area in AREAS:
            (path / area).mkdir(parents=True, exist_ok=True)
        return cls(path)

    def area(self, name: str) -> Path:
        """One of AREAS' folders."""
        if name not in AREAS:
            raise ValueError(f"unknown workspace area {name!r}; expected one of {', '.join(AREAS)}")
        return self.root / name

    @property
    def fine_tuning_root(self) -> Path:
        """The job runner's folder: the workspace itself, so jobs train into `jobs/<job id>/run` (and uploaded
        fine-tuning files sit in `files/`)."""
        return self.root

    @property
    def store_url(self) -> str:
        return f"sqlite:///{self.root / 'traffic.db'}"

    def resolve(self, relative: str, must_exist: bool = True) -> Path:
        """`relative` (to the workspace root) as an absolute path inside it; OutsideWorkspace otherwise."""
        if not relative or "\x00" in relative or Path(relative).is_absolute():
            raise OutsideWorkspace(relative)
        path = (self.root / relative).resolve()
        if path != self.root and self.root not in path.parents:
            raise OutsideWorkspace(relative)
        if must_exist and not path.exists():
            raise OutsideWorkspace(relative)
        return path

    def relative(self, path: Path) -> str:
        """How the pages name `path` (which must be inside the workspace)."""
        return Path(path).resolve().relative_to(self.root).as_posix()
