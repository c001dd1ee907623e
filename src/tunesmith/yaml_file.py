"""Read a YAML file that must hold a mapping (recipes, pipelines, report settings), with errors that name it."""

from __future__ import annotations

from pathlib import Path

import yaml

from tunesmith.errors import InputError


def read_mapping(path: str | Path, kind: str, expected: str) -> dict:
    """The file's mapping ({} for an empty file); InputError if it is missing, not YAML (with the line), or a list."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), f"{kind} file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else str(path)
        raise InputError(where, f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(str(path), f"expected {expected}")
    return raw
