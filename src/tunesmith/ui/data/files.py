"""The workspace's data files: uploads saved under a checked name (atomically, within a size limit) and the listing.

Upload is storage only: a file that does not parse is saved all the same, and inspecting it says what is wrong,
with the same words as `tunesmith data inspect`. A name is refused rather than rewritten, so the file a person
picked is the file they find.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tunesmith.atomic import atomic_path
from tunesmith.data.io import SUFFIXES
from tunesmith.errors import InputError
from tunesmith.ui.workspace import Workspace

MAX_NAME = 120
CHUNK = 1 << 20
# Letters and digits of any script (Chinese names are common), `_`, `-` and `.`; a letter or digit first.
_NAME = re.compile(r"[^\W_][\w.-]*")


class TooLarge(InputError):
    """An upload over the server's `--max-upload` limit (the API answers 413)."""


class AlreadyThere(InputError):
    """An upload whose name is taken, sent without `overwrite` (the API answers 409)."""


@dataclass(frozen=True)
class DataFile:
    """One data file of the workspace: its workspace-relative path, size, modification time and record count."""

    path: str
    bytes: int
    modified: int
    records: int | None = None  # counted where that is cheap (JSONL lines, Parquet metadata); None otherwise


def checked_name(name: str | None) -> str:
    """`name` if it is a plain data-file name (no folders, not hidden, ordinary characters, a data suffix)."""
    given = name or ""
    where = f"file name {given!r}"
    if not given.strip():
        raise InputError("file name", "is empty; expected a name such as train.jsonl")
    if "/" in given or "\\" in given or given in (".", ".."):
        raise InputError(where, "has a folder in it; expected a plain file name such as train.jsonl")
    if given.startswith("."):
        raise InputError(where, "is hidden (starts with '.'); expected a name such as train.jsonl")
    if len(given) > MAX_NAME or not _NAME.fullmatch(given):
        raise InputError(
            where,
            f"has characters a file name here may not use; expected at most {MAX_NAME} letters, digits, '_', '-' "
            "and '.', starting with a letter or digit",
        )
    suffix = Path(given).suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or "(no suffix)"
        raise InputError(where, f"unsupported file type {shown!r}; expected one of {', '.join(SUFFIXES)}")
    return given


def save_upload(space: Workspace, name: str | None, stream: BinaryIO, limit: int, overwrite: bool = False) -> DataFile:
    """Copy `stream` into `data/<name>` atomically: refused if the name is bad, taken (without `overwrite`), or
    the body is over `limit` bytes; a refused upload leaves nothing behind."""
    name = checked_name(name)
    target = space.area("data") / name
    if target.is_dir() or (target.exists() and not overwrite):
        raise AlreadyThere(f"data/{name}", "already exists; choose another name, or overwrite it")
    size = 0
    with atomic_path(target) as tmp, tmp.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"data/{name}", f"is larger than this server's upload limit of {limit:,} bytes")
            out.write(chunk)
    stat = target.stat()
    return DataFile(space.relative(target), stat.st_size, int(stat.st_mtime))


def list_data_files(space: Workspace) -> list[DataFile]:
    """Every data file under `data/` (subfolders too), by path; hidden files and folders (an upload or a pipeline
    still being written) and a pipeline's own report.json are left out."""
    root = space.area("data")
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        for name in sorted(files):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in SUFFIXES or _is_report(path):
                continue
            stat = path.stat()
            found.append(DataFile(space.relative(path), stat.st_size, int(stat.st_mtime), count_records(path)))
    return found


def _is_report(path: Path) -> bool:
    """A `tunesmith data run` report (report.json beside its report.html): not a dataset."""
    return path.name == "report.json" and path.with_name("report.html").exists()


def count_records(path: Path, most_bytes: int = 50_000_000) -> int | None:
    """Records in `path` when counting is cheap: non-blank JSONL lines (files up to `most_bytes`), Parquet rows."""
    kind = SUFFIXES.get(path.suffix.lower())
    try:
        if kind == "jsonl" and path.stat().st_size <= most_bytes:
            return count_lines(path)
        if kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # a broken file is listed all the same; inspecting it says what is wrong
        return None
    return None


def count_lines(path: Path) -> int:
    """Non-blank lines: what the JSONL reader counts as records."""
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())
