"""Vector stores behind one contract: `embedded` (files in the index folder, no server) and `chroma` (a server).

The index folder always keeps every chunk's vector in `vectors.npy` (the source of truth an incremental build
reuses); a store is the search structure built from those vectors. Each build writes a fresh store generation
named by the build id, so a failed build leaves the previous index serving, and the old generation is dropped
only after the new manifest is in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from tunesmith.schema import Strict, find_module


class StoreSpec(Strict):
    """Where the vectors are searched: `embedded` (the default, no server) or `chroma` (a Chroma server's URL)."""

    kind: str = "embedded"
    url: str | None = None  # chroma: http://host:port
    collection: str = "tunesmith"  # chroma: the collection name's prefix; the build id is appended


@dataclass(frozen=True)
class Scored:
    """One search result: a row of the index's chunk table and its similarity (higher is closer)."""

    row: int
    score: float


class VectorStore(Protocol):
    """Nearest neighbours by inner product over unit vectors (so the score is the cosine similarity)."""

    def search(self, queries: np.ndarray, k: int) -> list[list[Scored]]:
        """For each query vector (n × dim, float32, unit length), its `k` best rows, best first."""
        ...

    def close(self) -> None:
        """Release files or connections."""
        ...


class StoreKind(Protocol):
    """A store module: builds a generation from all vectors, opens it, and drops an old one."""

    def build(self, spec: StoreSpec, folder: Path, generation: str, vectors: np.ndarray) -> dict: ...

    def open(self, spec: StoreSpec, folder: Path, generation: str, info: dict) -> VectorStore: ...

    def drop(self, spec: StoreSpec, folder: Path, generation: str, info: dict) -> None: ...


def store_kind(name: str) -> StoreKind:
    """The store module named `name` (`embedded`, `chroma`); an unknown name is an InputError with the choices."""
    try:
        return find_module("tunesmith.rag.stores", name, "store")
    except ValueError as exc:
        from tunesmith.errors import InputError

        raise InputError("store.kind", str(exc)) from None


def open_generation(section: dict, folder: Path) -> VectorStore:
    """The store a manifest's `store` section names (its kind, server, generation), opened for search."""
    spec = _spec(section)
    return store_kind(spec.kind).open(spec, folder, section["generation"], section["info"])


def drop_generation(section: dict, folder: Path) -> None:
    """Drop the generation a manifest's `store` section names (a server's old collection, after a rebuild)."""
    spec = _spec(section)
    store_kind(spec.kind).drop(spec, folder, section["generation"], section["info"])


def _spec(section: dict) -> StoreSpec:
    return StoreSpec(**{k: section[k] for k in ("kind", "url", "collection") if section.get(k) is not None})
