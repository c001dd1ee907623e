"""Keep what the UI runs inside its workspace: request paths, and every path a validated config names.

A config the UI runs is first read by the CLI's own loader (same schema, same messages); then each path in it
(every `Path` field, and `path` strings such as a pipeline input's) must resolve inside the workspace. Model
references (an alias, a hub id or a model folder) are not files the task writes or reads as data, and stay free.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tunesmith.errors import InputError


def request_path(root: Path, value: str, field: str, must_exist: bool = True) -> str:
    """`value` (a workspace-relative path from a request) checked and normalised; InputError naming `field`."""
    if not value or "\x00" in value or value.startswith(("-", "~")) or Path(value).is_absolute():
        raise InputError(field, f"expected a path relative to the workspace, e.g. configs/pipeline.yaml; got {value!r}")
    if ".." in Path(value).parts:
        raise InputError(field, f"'..' is not allowed: name the file from the workspace root; got {value!r}")
    path = (root / value).resolve()
    if path != root and root not in path.parents:
        raise InputError(field, f"{value!r} is outside the workspace")
    if must_exist and not path.exists():
        raise InputError(field, f"no such file in the workspace: {value!r}")
    return path.relative_to(root).as_posix()


def inside(root: Path, path: Path) -> bool:
    resolved = path.resolve()
    return resolved == root or root in resolved.parents


def paths_in(value: Any, key: str = "") -> Iterator[tuple[str, Path]]:
    """Every (dotted key, path) a validated config holds: `Path` values, and strings in fields named `path`."""
    if isinstance(value, Path):
        yield key, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            inner = getattr(value, name)
            sub = f"{key}.{name}" if key else name
            if name == "path" and isinstance(inner, str):
                yield sub, Path(inner)
            else:
                yield from paths_in(inner, sub)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from paths_in(item, f"{key}[{i}]")
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from paths_in(item, f"{key}.{name}" if key else str(name))


def check_paths(root: Path, config: Any, base: Path, source: str) -> None:
    """InputError for the first path in `config` (relative ones read from `base`) that is outside the workspace."""
    for key, path in paths_in(config):
        full = path.expanduser() if path.expanduser().is_absolute() else base / path
        if not inside(root, full):
            raise InputError(f"{source}: key '{key}'", f"{path} is outside the workspace; name a file inside it")


@contextmanager
def workspace_messages(root: Path, real: Path | None = None, shown: str | None = None) -> Iterator[None]:
    """Re-raise an InputError with the workspace named as the CLI in it would (relative), `real` as `shown`."""
    try:
        yield
    except InputError as exc:
        where, message = (relative_text(root, text, real, shown) for text in (exc.where, exc.message))
        raise InputError(where, message) from None


def relative_text(root: Path, text: str, real: Path | None = None, shown: str | None = None) -> str:
    if real is not None and shown is not None:
        text = text.replace(str(real), shown)
    return text.replace(str(root) + "/", "").replace(str(root), ".")
