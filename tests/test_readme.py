"""The Python API page's script runs as written: it trains, pauses from another thread, resumes, and matches."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_block(section: str, page: str = "docs/python.md") -> str:
    text = (ROOT / page).read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", body, re.S).group(1)


@pytest.mark.slow
def test_train_from_python_pauses_resumes_and_matches_a_straight_run():
    out = ROOT / "runs" / "python-api"
    shutil.rmtree(out, ignore_errors=True)
    try:
        done = subprocess.run(
            [sys.executable, "-c", python_block("Pause from another thread, resume, and match a straight run")],
            cwd=ROOT, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert re.search(r"paused at step [45]; resumed to 12, final loss \d", done.stdout), done.stdout
    finally:
        shutil.rmtree(out, ignore_errors=True)
