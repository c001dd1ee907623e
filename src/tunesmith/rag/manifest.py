"""An index folder's manifest and chunk table: what was indexed, how, and the rows every part of the index shares.

Layout of an index folder (written whole into a temporary folder, then renamed into place):
  manifest.json   format version, build id, embedding model and width, chunking, BM25 settings, store, counts,
                  each document's digest and chunk count, the files skipped and why
  chunks.jsonl    one row per chunk: id (`<document>#<n>`), source (the document), chunk number, text
  vectors.npy     every chunk's unit-length embedding, row for row (what an incremental build reuses)
  lexical/        the BM25 index (bm25s)
  …               the embedded store's files (the `chroma` store keeps its vectors on the server instead)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tunesmith.errors import InputError

FORMAT = "tunesmith-rag-index"
VERSION = 1
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.npy"
REBUILD = "rebuild it with `tunesmith rag build`"


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage; `id` is what citations and gold labels name."""

    id: str
    source: str
    chunk: int
    text: str


def read_manifest(folder: Path) -> dict:
    """The manifest; a folder that is not an index, or whose manifest is damaged or of another version, is an error."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError(str(folder), "not found; expected an index folder made by `tunesmith rag build`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(
            str(path), f"missing or not valid JSON; this folder is not a complete index: {REBUILD}"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(str(path), f"is not a tunesmith index manifest; {REBUILD}")
    if manifest.get("version") != VERSION:
        raise InputError(str(path), f"index format version {manifest.get('version')}, expected {VERSION}; {REBUILD}")
    return manifest


def write_chunks(folder: Path, chunks: list[Chunk]) -> None:
    with (folder / CHUNKS).open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")


def read_chunks(folder: Path, expected: int) -> list[Chunk]:
    """The chunk table; a damaged or short one is an error naming the line."""
    path = folder / CHUNKS
    chunks = []
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    chunks.append(Chunk(**json.loads(line)))
                except (ValueError, TypeError):
                    raise InputError(
                        f"{path}:{number}", f"is not a chunk row; the index is damaged: {REBUILD}"
                    ) from None
    except OSError:
        raise InputError(str(path), f"missing; the index is damaged: {REBUILD}") from None
    if len(chunks) != expected:
        raise InputError(str(path), f"holds {len(chunks)} chunks, the manifest says {expected}; {REBUILD}")
    return chunks


def read_vectors(folder: Path, rows: int, dim: int) -> np.ndarray:
    """The embeddings, checked against the manifest's counts."""
    path = folder / VECTORS
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        raise InputError(str(path), f"missing or damaged; {REBUILD}") from None
    if vectors.shape != (rows, dim):
        raise InputError(str(path), f"holds {vectors.shape} vectors, the manifest says ({rows}, {dim}); {REBUILD}")
    return vectors
