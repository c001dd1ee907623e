"""Shared fixtures for retrieval tests: a copy of the bundled manuals and a settings file that indexes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "examples" / "knowledge"


@pytest.fixture
def manuals(tmp_path) -> Path:
    """A writable copy of the v1 manuals (so a test can change, add or remove one)."""
    return Path(shutil.copytree(KNOWLEDGE / "docs" / "v1", tmp_path / "docs"))


@pytest.fixture
def settings(tmp_path, manuals, smol_dir):
    """A function writing a rag settings file over `manuals` (keys override the defaults); returns its path."""

    def write(**overrides) -> Path:
        raw = {"index": str(tmp_path / "index"), "sources": [str(manuals)], "chunking": {"model": smol_dir}}
        raw.update(overrides)
        path = tmp_path / "rag.yaml"
        path.write_text(yaml.safe_dump(raw), encoding="utf-8")
        return path

    return write
