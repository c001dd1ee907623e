"""The workspace's finished runs (a `final/` model): `runs/<name>` and `jobs/<job id>/run`, for export and eval."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel


class FinishedRun(BaseModel):
    path: str  # workspace-relative run directory
    name: str
    method: str | None  # the recipe's method (lora, full …), when it says
    modified: float


def finished_runs(root: Path) -> list[FinishedRun]:
    """Runs with a final model, newest first."""
    folders = [p for p in (root / "runs").glob("*") if p.is_dir()]
    folders += [p for p in (root / "jobs").glob("*/run") if p.is_dir()]
    found = []
    for folder in folders:
        final = folder / "final"
        if (folder / "recipe.yaml").is_file() and final.is_dir():
            name = folder.parent.name if folder.name == "run" and folder.parent.parent.name == "jobs" else folder.name
            found.append(
                FinishedRun(
                    path=folder.relative_to(root).as_posix(),
                    name=name,
                    method=_method(folder / "recipe.yaml"),
                    modified=final.stat().st_mtime,
                )
            )
    return sorted(found, key=lambda r: r.modified, reverse=True)


def _method(recipe: Path) -> str | None:
    try:
        raw = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    method = raw.get("method") if isinstance(raw, dict) else None
    if isinstance(method, dict):
        method = method.get("name")
    return method if isinstance(method, str) else None
