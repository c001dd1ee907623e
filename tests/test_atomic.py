"""Atomic writes leave either the old content or the new, and files get the modes any other write would."""

from __future__ import annotations

import os
import stat

import pytest

from tunesmith.atomic import atomic_dir, write_text


def test_written_file_and_folder_get_umask_modes_not_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "hi")
        with atomic_dir(tmp_path / "out") as tmp:
            (tmp / "x").write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755


def test_failed_write_keeps_old_content_and_leaves_no_temp(tmp_path):
    write_text(tmp_path / "a.txt", "old")
    with pytest.raises(RuntimeError), atomic_dir(tmp_path / "out"):
        raise RuntimeError("crash mid-write")
    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
