"""Embedded store: exact search in numpy, the fastest exact search measured (100k×384, 2 cores: p95 3–16 ms), no build.

`bench/rag_stores.py` measured the alternatives at 100k: faiss's flat index was no faster (p95 8–36 ms), HNSW (faiss,
usearch) took 45–120 s to build and lost recall@10, sqlite-vec (53–74 ms) and LanceDB (140–190 ms, +650 MB) were
slower. So a generation is one float32 `.npy` matrix, read whole into memory, and a search is one matrix product and
a partial sort, with no dependency beyond numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np  # the package's contract already imports it; numpy is the whole "library" here

from tunesmith.errors import InputError
from tunesmith.rag.stores import Scored, StoreSpec

REBUILD = "rebuild it with `tunesmith rag build`"
CHUNK_SCORES = 1 << 24  # at most this many scores (64 MB of float32) in memory per batch of queries


def build(spec: StoreSpec, folder: Path, generation: str, vectors: np.ndarray) -> dict:
    """Write the vectors as `embedded-<generation>.npy` in the index folder being built; return the manifest entry."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"vectors must be a 2-d matrix, got shape {matrix.shape}")
    path = folder / f"embedded-{generation}.npy"
    np.save(path, matrix, allow_pickle=False)
    count, dim = matrix.shape
    return {"file": path.name, "count": count, "dim": dim, "library": f"numpy {np.__version__}"}


def open(spec: StoreSpec, folder: Path, generation: str, info: dict) -> NumpyStore:
    """Read the generation's matrix, checking it is whole and matches the manifest's count and dimension."""
    path = folder / info.get("file", f"embedded-{generation}.npy")
    try:
        matrix = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise InputError(str(path), f"the vector store file is missing; {REBUILD}") from None
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(str(path), f"the vector store file is unreadable ({exc}); {REBUILD}") from None
    expected = (info["count"], info["dim"])
    if matrix.dtype != np.float32 or matrix.shape != expected:
        found = f"{matrix.dtype} {matrix.shape}"
        raise InputError(str(path), f"the vector store holds {found}, the manifest float32 {expected}; {REBUILD}")
    return NumpyStore(matrix)


def drop(spec: StoreSpec, folder: Path, generation: str, info: dict) -> None:
    """Nothing to do: a generation's file lives in its index folder, which a rebuild replaces whole."""


class NumpyStore:
    """Exact inner-product search over a matrix of unit rows held in memory."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = matrix

    def search(self, queries: np.ndarray, k: int) -> list[list[Scored]]:
        """Each query's `k` best rows (all rows when `k` exceeds them), best first, scored by inner product."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        rows = len(self.matrix)
        count = min(k, rows)
        if count <= 0:
            return [[] for _ in queries]
        found: list[list[Scored]] = []
        step = max(1, CHUNK_SCORES // rows)
        for start in range(0, len(queries), step):
            scores = queries[start : start + step] @ self.matrix.T
            top = np.argpartition(-scores, count - 1, axis=1)[:, :count]  # the best `count`, unordered
            best = np.take_along_axis(scores, top, axis=1)
            order = np.argsort(-best, axis=1, kind="stable")
            for row_ids, row_scores in zip(np.take_along_axis(top, order, 1), np.take_along_axis(best, order, 1)):
                found.append([Scored(int(row), float(score)) for row, score in zip(row_ids, row_scores)])
        return found

    def close(self) -> None:
        """Let go of the matrix (there is no file or connection held open)."""
        self.matrix = np.empty((0, self.matrix.shape[1]), dtype=np.float32)
