"""The router's disk cache: each adapter's prompt embeddings and each fitted router, by content, written atomically.

Keys are sha256 digests of what determines the result: the embedding model and the exact prompts (for
embeddings), and every routed adapter's name and prompts plus the fit settings (for a fitted router). A restart
with the same adapters reads the router back instead of embedding thousands of prompts again; a changed adapter
(other training data), a new one or a removed one makes a new key, and only the changed adapter is re-embedded.
Files hold plain arrays only (read with `allow_pickle=False`). Delete the folder to reclaim the space.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from tunesmith.atomic import atomic_path

FORMAT = 1  # bump when what a cached router holds changes


def default_cache_dir() -> Path:
    """$TUNESMITH_HOME/router."""
    from tunesmith.home import tunesmith_home

    return tunesmith_home() / "router"


def embedder_id() -> str:
    """The embedding model's package and version: embeddings from another model are not reused."""
    from importlib.metadata import PackageNotFoundError, version

    from tunesmith.data.embed import PACKAGE

    try:
        return f"{PACKAGE}=={version(PACKAGE)}"
    except PackageNotFoundError:
        return PACKAGE


def digest(*parts: object) -> str:
    """sha256 of the parts as canonical JSON."""
    return hashlib.sha256(json.dumps([FORMAT, *parts], sort_keys=True).encode()).hexdigest()


def load_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays of a cached `.npz`, or None when it is missing or unreadable (then it is simply rebuilt)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as found:
            return {name: found[name] for name in found.files}
    except (OSError, ValueError, KeyError):
        return None


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays to `path` atomically (temp file + rename)."""
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        np.savez(handle, **arrays)


def cached_embeddings(cache_dir: Path, prompts: list[str], prompts_key: str, embed) -> np.ndarray:
    """`embed(prompts)` (unit rows), read from the cache when these exact prompts were embedded before."""
    path = cache_dir / f"emb-{digest(embedder_id(), prompts_key)}.npz"
    found = load_arrays(path)
    if found is not None and found.get("vectors", np.empty(0)).shape[:1] == (len(prompts),):
        return found["vectors"]
    vectors = np.asarray(embed(prompts), dtype=np.float32)
    save_arrays(path, {"vectors": vectors})
    return vectors
