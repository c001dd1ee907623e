"""The `chroma` store: one Chroma server collection per index generation, for indexes past one machine.

We pass our own unit vectors (no embedding function) into a cosine-space collection, so 1 - distance is the
cosine similarity the contract promises. Chroma ids are strings: a row is stored as `str(row)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from tunesmith.errors import InputError
from tunesmith.rag.stores import Scored, StoreSpec

REBUILD = "rebuild it with `tunesmith rag build`"


def build(spec: StoreSpec, folder: Path, generation: str, vectors: np.ndarray) -> dict:
    """Write every vector (row i as id "i") into a fresh collection; the manifest records its name and size."""
    errors, name = _chromadb().errors, f"{spec.collection}-{generation}"
    with _session(spec) as client:
        with suppress(errors.NotFoundError):  # a failed build of this generation may have left one
            client.delete_collection(name)
        try:
            collection = client.create_collection(
                name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        except errors.InvalidArgumentError as exc:  # Chroma's name rules: 3-512 of [a-zA-Z0-9._-]
            raise InputError("store.collection", str(exc)) from None
        batch = max(client.get_max_batch_size(), 1)
        for start in range(0, len(vectors), batch):
            stop = min(start + batch, len(vectors))
            collection.add(ids=[str(row) for row in range(start, stop)], embeddings=vectors[start:stop])
    return {"collection": name, "count": int(len(vectors)), "dim": int(vectors.shape[1])}


def open(spec: StoreSpec, folder: Path, generation: str, info: dict) -> ChromaStore:
    """Connect to the generation's collection, checking it holds every vector the manifest recorded."""
    where, name = f"store {spec.url}", info["collection"]
    client = _connect(spec)
    with _reachable(spec):
        try:
            collection = client.get_collection(name, embedding_function=None)
        except _chromadb().errors.NotFoundError:
            raise InputError(where, f"the index's collection {name!r} is missing; {REBUILD}") from None
        count = collection.count()
    if count != info["count"]:
        message = f"the index's collection {name!r} is incomplete ({count} of {info['count']} vectors)"
        raise InputError(where, f"{message}; {REBUILD}")
    return ChromaStore(spec, client, collection)


def drop(spec: StoreSpec, folder: Path, generation: str, info: dict) -> None:
    """Delete the generation's collection (already gone is fine: dropping is idempotent)."""
    with _session(spec) as client, suppress(_chromadb().errors.NotFoundError):
        client.delete_collection(info["collection"])


class ChromaStore:
    """An open collection: each query's k nearest rows by cosine similarity, over one HTTP connection."""

    def __init__(self, spec: StoreSpec, client: Any, collection: Any):
        self.spec, self.client, self.collection = spec, client, collection

    def search(self, queries: np.ndarray, k: int) -> list[list[Scored]]:
        """Each query's `k` best rows, best first (fewer when the collection is smaller)."""
        if len(queries) == 0 or k <= 0:
            return [[] for _ in queries]
        with _reachable(self.spec):
            found = self.collection.query(query_embeddings=queries, n_results=k, include=["distances"])
        return [
            [Scored(int(id_), 1.0 - float(distance)) for id_, distance in zip(ids, distances)]
            for ids, distances in zip(found["ids"], found["distances"])
        ]

    def close(self) -> None:
        self.client.close()


def _connect(spec: StoreSpec) -> Any:
    """A client for `spec.url` (http://host:port); a bad url or a server that can't be reached is an InputError."""
    parts = urlsplit(spec.url or "")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 8000)
    except ValueError:  # a port that is not a number in range
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None or parts.path.strip("/"):
        raise InputError("store.url", f"expected http://host:port of a Chroma server, got {spec.url!r}")
    try:
        return _chromadb().HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https")
    except ValueError as exc:  # chromadb turns a failed first contact into a ValueError
        raise InputError("store.url", f"cannot reach the Chroma server at {spec.url}: {exc}") from None


@contextmanager
def _session(spec: StoreSpec) -> Iterator[Any]:
    """A client for one build or drop, closed at the end; a lost connection is an InputError naming the url."""
    client = _connect(spec)
    try:
        with _reachable(spec):
            yield client
    finally:
        client.close()


@contextmanager
def _reachable(spec: StoreSpec) -> Iterator[None]:
    """Turn a connection lost mid-call into an InputError naming the url, instead of an httpx stack trace."""
    import httpx  # chromadb's own HTTP library, installed with it

    try:
        yield
    except httpx.TransportError as exc:
        raise InputError("store.url", f"cannot reach the Chroma server at {spec.url}: {exc}") from None


def _chromadb() -> Any:
    """chromadb, imported only when a chroma store is used (it is an optional extra)."""
    try:
        import chromadb
    except ImportError:
        raise RuntimeError("the chroma store needs chromadb: pip install 'tunesmith[rag-server]'") from None
    return chromadb
