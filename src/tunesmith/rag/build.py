"""`tunesmith rag build`: sources → documents → chunks → embeddings + BM25 + store, written as one index folder.

Re-running on changed sources re-chunks and re-embeds only the documents whose text changed (by digest); the
others keep their chunks and vectors from the previous index, provided it was built with the same chunking and
embedding model (otherwise everything is rebuilt, and the result says why). The BM25 index and the store are
rebuilt from all rows each time: both take seconds at 100k chunks, while embedding is what costs minutes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from tunesmith.atomic import atomic_dir
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.rag import embedder, lexical
from tunesmith.rag.config import RagConfig
from tunesmith.rag.documents import Document, Skipped, read_sources
from tunesmith.rag.manifest import (
    FORMAT,
    MANIFEST,
    VECTORS,
    VERSION,
    Chunk,
    read_chunks,
    read_manifest,
    read_vectors,
    write_chunks,
)
from tunesmith.rag.stores import drop_generation, store_kind


@dataclass
class BuildResult:
    """What a build did: the index folder, counts of documents by change, chunks embedded and reused, skips."""

    index: Path
    documents: int = 0
    chunks: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0
    reused: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    full_rebuild_reason: str | None = None
    seconds: float = 0.0


def build_index(cfg: RagConfig, base_dir: Path, folder: Path, progress: Progress = SILENT) -> BuildResult:
    """Build (or update) the index in `folder`; the folder is replaced only when everything succeeded."""
    began = time.perf_counter()
    documents, skipped = read_sources(cfg.sources, base_dir)
    if not documents:
        raise InputError(
            "sources", f"no readable documents ({len(skipped)} skipped: {skipped[0].path}: {skipped[0].reason})"
        )
    settings = _settings(cfg)
    old_manifest, unreadable = _old_manifest(folder)
    previous, reason = _previous(folder, old_manifest, settings) if old_manifest else (None, unreadable)
    result = BuildResult(folder, documents=len(documents), skipped=skipped, full_rebuild_reason=reason)
    old_docs = previous["manifest"]["documents"] if previous else {}
    chunks: list[Chunk] = []
    vectors: list[np.ndarray] = []
    fresh: list[int] = []  # rows of `chunks` still to embed
    tokenizer = _tokenizer(cfg, progress)
    progress.start("chunk", len(documents))
    for number, doc in enumerate(documents, 1):
        old = old_docs.get(doc.name)
        if old and old["digest"] == doc.digest:
            rows = previous["rows"][doc.name]
            chunks += [previous["chunks"][r] for r in rows]
            vectors.append(previous["vectors"][rows])
            result.unchanged += 1
        else:
            (result.changed if old else result.added).append(doc.name)
            new = _chunk(doc, tokenizer, cfg)
            fresh += range(len(chunks), len(chunks) + len(new))
            chunks += new
            vectors.append(np.zeros((len(new), settings["embedding"]["dim"]), dtype=np.float32))
        progress.update("chunk", number)
    progress.finish("chunk")
    result.removed = sorted(set(old_docs) - {d.name for d in documents})
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, settings["embedding"]["dim"]), np.float32)
    _embed_rows(matrix, chunks, fresh, cfg, progress)
    result.chunks, result.embedded, result.reused = len(chunks), len(fresh), len(chunks) - len(fresh)
    if not chunks:
        raise InputError("sources", f"the documents hold no text of at least {cfg.chunking.min_tokens} tokens")
    _write(folder, cfg, settings, documents, chunks, matrix, skipped)
    old_store = old_manifest["store"] if old_manifest else None
    if old_store and old_store.get("kind") != "embedded":  # a server's old generation goes once the new is live
        drop_generation(old_store, folder)
    result.seconds = time.perf_counter() - began
    return result


def _settings(cfg: RagConfig) -> dict:
    """What decides an index's rows and vectors; a previous index is reused only when these match."""
    model = embedder.canonical_name(cfg.embedding.model)
    return {
        "chunking": cfg.chunking.model_dump(),
        "embedding": {"model": model, "dim": embedder.dimension(cfg.embedding.model)},
    }


def _old_manifest(folder: Path) -> tuple[dict | None, str | None]:
    """The manifest of the index being replaced (None when there is none), or None and why it could not be read."""
    if not folder.exists():
        return None, None
    try:
        return read_manifest(folder), None
    except InputError as exc:
        return None, f"the previous index could not be read ({exc})"


def _previous(folder: Path, manifest: dict, settings: dict) -> tuple[dict | None, str | None]:
    """The previous index's documents, chunks and vectors when reusable, else None and why not."""
    for key in ("chunking", "embedding"):
        if manifest.get(key) != settings[key]:
            return None, f"{key} changed since the previous build"
    try:
        chunks = read_chunks(folder, manifest["counts"]["chunks"])
        vectors = read_vectors(folder, len(chunks), settings["embedding"]["dim"])
    except (InputError, KeyError) as exc:
        return None, f"the previous index could not be read ({exc})"
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        rows.setdefault(chunk.source, []).append(row)
    return {"manifest": manifest, "chunks": chunks, "vectors": vectors, "rows": rows}, None


def _tokenizer(cfg: RagConfig, progress: Progress):
    from tunesmith.models.loading import load_tokenizer
    from tunesmith.models.resolve import resolve_model

    return load_tokenizer(resolve_model(cfg.chunking.model, progress))


def _chunk(doc: Document, tokenizer, cfg: RagConfig) -> list[Chunk]:
    from tunesmith.data.ops.chunk import split_text

    c = cfg.chunking
    texts = split_text(doc.text, tokenizer, c.max_tokens, c.overlap, c.min_tokens)
    return [Chunk(f"{doc.name}#{i}", doc.name, i, text) for i, text in enumerate(texts)]


def _embed_rows(matrix: np.ndarray, chunks: list[Chunk], rows: list[int], cfg: RagConfig, progress: Progress) -> None:
    """Fill `matrix[rows]` with the embeddings of those chunks, a batch of batches at a time (with progress)."""
    step = cfg.embedding.batch_size * 8
    progress.start("embed", len(rows))
    for start in range(0, len(rows), step):
        part = rows[start : start + step]
        matrix[part] = embedder.embed(cfg.embedding.model, [chunks[r].text for r in part], cfg.embedding.batch_size)
        progress.update("embed", start + len(part))
    progress.finish("embed")


def _write(folder, cfg, settings, documents, chunks, matrix, skipped) -> None:
    """Everything into a temporary folder, the manifest last, then renamed over the old index."""
    generation = uuid.uuid4().hex[:12]
    kind = store_kind(cfg.store.kind)
    store_info = None
    try:
        with atomic_dir(folder) as tmp:
            write_chunks(tmp, chunks)
            np.save(tmp / VECTORS, matrix, allow_pickle=False)
            lexical.build([c.text for c in chunks], tmp, cfg.lexical.k1, cfg.lexical.b)
            store_info = kind.build(cfg.store, tmp, generation, matrix)
            _write_manifest(tmp, cfg, settings, generation, store_info, documents, chunks, skipped)
    except BaseException:
        if store_info is not None:  # a server store's new generation would otherwise be left behind
            kind.drop(cfg.store, folder, generation, store_info)
        raise


def _write_manifest(tmp, cfg, settings, generation, store_info, documents, chunks, skipped) -> None:
    per_doc: dict[str, int] = {}
    for chunk in chunks:
        per_doc[chunk.source] = per_doc.get(chunk.source, 0) + 1
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "build_id": generation,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **settings,
        "lexical": cfg.lexical.model_dump(),
        "store": {**cfg.store.model_dump(), "generation": generation, "info": store_info},
        "counts": {"documents": len(documents), "chunks": len(chunks), "skipped": len(skipped)},
        "documents": {d.name: {"digest": d.digest, "chunks": per_doc.get(d.name, 0)} for d in documents},
        "skipped": [{"path": s.path, "reason": s.reason} for s in skipped],
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
