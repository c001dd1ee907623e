"""TRL's experimental trainers (ORPO, CPO), imported without the warning each import prints."""

from __future__ import annotations

import warnings


def experimental(module: str, *names: str) -> tuple:
    """`names` from `trl.experimental.<module>`: these APIs may move between TRL releases (pin TRL when using them)."""
    import importlib

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*trl.experimental.*")
        imported = importlib.import_module(f"trl.experimental.{module}")
    return tuple(getattr(imported, name) for name in names)
