"""Query an index: BM25 and dense search fused by reciprocal rank fusion, optionally reranked by a cross-encoder.

Reciprocal rank fusion (Cormack et al., 2009) scores a chunk by Σ 1/(60 + rank) over the rankings it appears in,
so it needs no calibration between BM25 scores and cosine similarities. Each ranking contributes its best
`depth` rows (k × 4, at least 20); a reranker, when set, reorders the fused candidates by its own score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tunesmith.errors import InputError
from tunesmith.rag import embedder
from tunesmith.rag.lexical import LexicalIndex
from tunesmith.rag.manifest import Chunk, read_chunks, read_manifest
from tunesmith.rag.stores import open_generation

MODES = ("hybrid", "dense", "lexical")
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk, its rank (1 = best) and the score that ranked it (fused, cosine, BM25 or reranker)."""

    rank: int
    score: float
    chunk: Chunk

    def citation(self) -> dict:
        """What a served response cites: the chunk id, its source document and the score."""
        return {"id": self.chunk.id, "source": self.chunk.source, "score": round(self.score, 4)}


class Retriever:
    """An opened index; `search` is safe to call from several threads (nothing in it is mutated)."""

    def __init__(self, folder: str | Path, embedding_model: str | None = None, reranker: str | None = None):
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        built_with = self.manifest["embedding"]["model"]
        if embedding_model and embedder.canonical_name(embedding_model) != built_with:
            raise InputError(
                f"{self.folder}: embedding model",
                f"the index was built with {built_with!r}, not {embedding_model!r}; query it with the model it was "
                "built with, or rebuild it with the new model",
            )
        self.embedding_model = built_with
        self.chunks = read_chunks(self.folder, self.manifest["counts"]["chunks"])
        self.lexical = LexicalIndex(self.folder)
        self.store = open_generation(self.manifest["store"], self.folder)
        self.reranker = _cross_encoder(reranker) if reranker else None

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        """The `k` best chunks for `query`, best first."""
        if mode not in MODES:
            raise InputError("mode", f"unknown retrieval mode {mode!r}; expected one of {', '.join(MODES)}")
        depth = min(len(self.chunks), max(20, k * 4))
        rankings = []
        if mode in ("hybrid", "lexical"):
            rankings.append(self._lexical(query, depth))
        if mode in ("hybrid", "dense"):
            rankings.append(self._dense(query, depth))
        fused = rankings[0] if len(rankings) == 1 else _rrf(rankings)
        if self.reranker is not None:
            fused = self._rerank(query, fused[: max(k, depth)])
        return [Hit(i + 1, score, self.chunks[row]) for i, (row, score) in enumerate(fused[:k])]

    def close(self) -> None:
        self.store.close()

    def _lexical(self, query: str, depth: int) -> list[tuple[int, float]]:
        scores = self.lexical.scores(query)
        top = np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(r), float(scores[r])) for r in top if scores[r] > 0]

    def _dense(self, query: str, depth: int) -> list[tuple[int, float]]:
        vector = embedder.embed(self.embedding_model, [query])
        return [(hit.row, hit.score) for hit in self.store.search(vector, depth)[0]]

    def _rerank(self, query: str, candidates: list[tuple[int, float]]) -> list[tuple[int, float]]:
        pairs = [(query, self.chunks[row].text) for row, _ in candidates]
        scores = self.reranker.predict(pairs, show_progress_bar=False) if pairs else []
        order = sorted(range(len(candidates)), key=lambda i: -float(scores[i]))
        return [(candidates[i][0], float(scores[i])) for i in order]


def _rrf(rankings: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several rankings into one, best first (ties broken by row, for determinism)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (row, _) in enumerate(ranking, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _cross_encoder(model: str):
    """A sentence-transformers CrossEncoder by name or folder; one that cannot be loaded is an InputError."""
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(model, device="cpu")
    except Exception as exc:  # hub or folder problems surface as many error types
        problem = f"could not be loaded ({type(exc).__name__}); expected a sentence-transformers cross-encoder"
        raise InputError(f"reranker: {model}", problem) from None
