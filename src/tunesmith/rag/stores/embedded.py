"""Embedded store: exact search over a float32 matrix in memory, the fastest exact search measured, nothing to build.

`bench/rag_stores.py` measured the alternatives at 100k × 384 on 2 cores: numpy's exact product p95 3–16 ms,
FAISS's flat index no faster (8–36 ms), HNSW (FAISS, usearch) 45–120 s to build and lost recall@10, sqlite-vec
(53–74 ms) and LanceDB (140–190 ms, +650 MB) slower. The product runs in torch rather than numpy: numpy's OpenBLAS
threads and torch's OpenMP threads (the query encoder's) each busy-wait after their work, and on two cores they took
turns at a hybrid query's p95 (85 ms against 10 ms at 10k chunks, `bench/rag_speed.py`); in torch both share one pool.
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
    return {"file": path.name, "count": count, "dim": dim, "library": "torch (exact inner product)"}


def open(spec: StoreSpec, folder: Path, generation: str, info: dict) -> MatrixStore:
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
    return MatrixStore(matrix)


def drop(spec: StoreSpec, folder: Path, generation: str, info: dict) -> None:
    """Nothing to do: a generation's file lives in its index folder, which a rebuild replaces whole."""


class MatrixStore:
    """Exact inner-product search over a matrix of unit rows held in memory (shared with torch, not copied)."""

    def __init__(self, matrix: np.ndarray):
        import torch

        self.matrix = torch.from_numpy(matrix)

    def search(self, queries: np.ndarray, k: int) -> list[list[Scored]]:
        """Each query's `k` best rows (all rows when `k` exceeds them), best first, scored by inner product."""
        import torch

        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        rows = self.matrix.shape[0]
        count = min(k, rows)
        if count <= 0:
            return [[] for _ in queries]
        found: list[list[Scored]] = []
        step = max(1, CHUNK_SCORES // rows)
        with torch.inference_mode():
            for start in range(0, len(queries), step):
                scores = torch.from_numpy(queries[start : start + step]) @ self.matrix.T
                best, top = torch.topk(scores, count, dim=1)  # sorted, best first
                for row_ids, row_scores in zip(top.tolist(), best.tolist()):
                    found.append([Scored(row, score) for row, score in zip(row_ids, row_scores)])
        return found

    def close(self) -> None:
        """Let go of the matrix (there is no file or connection held open)."""
        self.matrix = self.matrix[:0]
