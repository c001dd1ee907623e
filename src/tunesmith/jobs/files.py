"""Uploaded files, content-addressed: `files/<sha256[:2]>/<sha256>.jsonl` under the fine-tuning folder, written
atomically (the suffix tells the data readers the format: every fine-tuning file is JSONL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tunesmith.atomic import atomic_path


def blob_path(root: Path, digest: str) -> Path:
    """Where the content with SHA-256 `digest` lives."""
    return root / "files" / digest[:2] / f"{digest}.jsonl"


def save_blob(root: Path, data: bytes) -> str:
    """Store `data` once (a second upload of the same bytes shares it); its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(root, digest)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    return digest


def remove_blob(root: Path, digest: str) -> None:
    blob_path(root, digest).unlink(missing_ok=True)
