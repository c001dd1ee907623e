"""Where tunesmith keeps what it makes for itself (converted models, dataset caches): one folder, one function."""

from __future__ import annotations

import os
from pathlib import Path


def tunesmith_home() -> Path:
    """$TUNESMITH_HOME, default ~/.cache/tunesmith."""
    return Path(os.environ.get("TUNESMITH_HOME") or Path.home() / ".cache" / "tunesmith")
