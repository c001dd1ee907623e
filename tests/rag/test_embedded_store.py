"""The embedded vector store: exact inner-product search over its file, and a damaged file named with how to fix it."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.errors import InputError
from tunesmith.rag.stores import StoreSpec, embedded

SPEC = StoreSpec()


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def vectors() -> np.ndarray:
    return _unit(np.random.default_rng(0).standard_normal((500, 32), dtype=np.float32))


@pytest.fixture
def built(tmp_path, vectors) -> dict:
    return embedded.build(SPEC, tmp_path, "g1", vectors)


def test_build_records_the_file_and_shape(tmp_path, built):
    assert built["count"] == 500 and built["dim"] == 32 and built["library"].startswith("torch")
    assert (tmp_path / built["file"]).is_file()


def test_a_stored_vector_finds_itself_first(tmp_path, vectors, built):
    store = embedded.open(SPEC, tmp_path, "g1", built)
    hits = store.search(vectors[[7, 123]], k=3)
    assert [found[0].row for found in hits] == [7, 123]
    assert all(found[0].score == pytest.approx(1.0, abs=1e-5) for found in hits)
    assert all(found[0].score >= found[1].score >= found[2].score for found in hits)
    store.close()


def test_top_k_equals_numpy_exact(tmp_path, vectors, built):
    queries = _unit(np.random.default_rng(1).standard_normal((20, 32), dtype=np.float32))
    store = embedded.open(SPEC, tmp_path, "g1", built)
    hits = store.search(queries, k=10)
    scores = queries @ vectors.T
    for query, found in enumerate(hits):
        expected = np.argsort(-scores[query])[:10]
        assert [hit.row for hit in found] == expected.tolist()
        assert [hit.score for hit in found] == pytest.approx(scores[query, expected].tolist(), abs=1e-5)


def test_k_beyond_the_rows_returns_every_row(tmp_path):
    few = _unit(np.eye(3, 4, dtype=np.float32) + 0.1)
    info = embedded.build(SPEC, tmp_path, "g1", few)
    (found,) = embedded.open(SPEC, tmp_path, "g1", info).search(few[1], k=10)
    assert sorted(hit.row for hit in found) == [0, 1, 2] and found[0].row == 1


def test_a_truncated_file_says_rebuild(tmp_path, built):
    path = tmp_path / built["file"]
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(InputError, match="rebuild it with `tunesmith rag build`") as caught:
        embedded.open(SPEC, tmp_path, "g1", built)
    assert caught.value.where == str(path)


def test_a_missing_file_says_rebuild(tmp_path, built):
    (tmp_path / built["file"]).unlink()
    with pytest.raises(InputError, match="missing; rebuild it with `tunesmith rag build`") as caught:
        embedded.open(SPEC, tmp_path, "g1", built)
    assert caught.value.where == str(tmp_path / built["file"])


def test_drop_leaves_the_folder_alone(tmp_path, built):
    embedded.drop(SPEC, tmp_path, "g1", built)  # a failed build drops its generation against the live folder
    assert (tmp_path / built["file"]).is_file()
