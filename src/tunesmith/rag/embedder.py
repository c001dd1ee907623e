"""Dense embeddings for an index: the bundled all-MiniLM-L6-v2, or any sentence-transformers model by name or folder."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tunesmith.errors import InputError
from tunesmith.rag.config import DEFAULT_EMBEDDING

# names that mean the bundled copy, so the default never reaches for the hub
_BUNDLED = {DEFAULT_EMBEDDING, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}


def canonical_name(model: str) -> str:
    """The name recorded in a manifest: every spelling of the bundled model is one name."""
    return DEFAULT_EMBEDDING if model in _BUNDLED else model


@lru_cache(maxsize=2)
def encoder(model: str):
    """The SentenceTransformer on CPU, loaded once per process; a model that cannot be loaded is an InputError."""
    if canonical_name(model) == DEFAULT_EMBEDDING:
        from tunesmith.data.embed import embedding_model

        return embedding_model()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise RuntimeError("dense retrieval needs sentence-transformers: pip install 'tunesmith[rag]'") from None
    try:
        return SentenceTransformer(model, device="cpu")
    except Exception as exc:  # hub or folder problems surface as many error types
        raise InputError(
            f"embedding.model: {model}",
            f"could not be loaded ({type(exc).__name__}); expected a sentence-transformers model name or folder",
        ) from None


def embed(model: str, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 embeddings (n × dim), so an inner product is the cosine similarity."""
    if not texts:
        return np.zeros((0, dimension(model)), dtype=np.float32)
    from tunesmith.data.embed import unit_embeddings

    return unit_embeddings(encoder(model), texts, batch_size)


def dimension(model: str) -> int:
    """The model's embedding width."""
    st = encoder(model)
    getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    return int(getter())
