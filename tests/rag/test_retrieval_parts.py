"""The parts of retrieval that need no index: tokenization, rank fusion, metrics, the prompt template, settings."""

from __future__ import annotations

import pytest

from tunesmith.errors import InputError
from tunesmith.rag.config import load_rag_config
from tunesmith.rag.evaluate import _ndcg, gold_chunks, wilson
from tunesmith.rag.lexical import tokenize
from tunesmith.rag.manifest import Chunk
from tunesmith.rag.prompt import check_template, with_context
from tunesmith.rag.retrieve import _rrf


def test_chinese_is_cut_into_words_and_english_is_stemmed():
    assert {"保修", "保修期", "水壶"} <= set(tokenize("这款水壶的保修期是多久？"))
    assert "的" not in tokenize("这款水壶的保修期")
    assert tokenize("The warranties of kettles") == ["warranti", "kettl"]
    assert "v2.3.1" in tokenize("firmware v2.3.1 ships")  # a version stays one term


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = _rrf([[(1, 9.0), (2, 8.0), (3, 7.0)], [(3, 0.9), (1, 0.8), (4, 0.7)]])
    assert [row for row, _ in fused] == [1, 3, 2, 4]  # 1 and 3 are in both rankings
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_gold_by_ids_or_by_evidence():
    chunks = [Chunk("a.md#0", "a.md", 0, "The kettle holds\n1.5 litres."), Chunk("b.md#0", "b.md", 0, "Other.")]
    assert gold_chunks({"gold": "a.md#0"}, "q:1", chunks) == {"a.md#0"}
    assert gold_chunks({"evidence": "holds 1.5 litres"}, "q:1", chunks) == {"a.md#0"}  # whitespace-insensitive
    with pytest.raises(InputError, match="q:1: gold: chunk 'c.md#0' is not in the index"):
        gold_chunks({"gold": ["c.md#0"]}, "q:1", chunks)
    with pytest.raises(InputError, match="no chunk of the index contains this text in b.md"):
        gold_chunks({"evidence": "holds 1.5 litres", "source": "b.md"}, "q:2", chunks)
    with pytest.raises(InputError, match="expected `gold`"):
        gold_chunks({}, "q:3", chunks)


def test_metrics():
    assert _ndcg(["x", "g"], frozenset({"g"}), 5) == pytest.approx(1 / 1.584962500721156)
    assert _ndcg(["g", "x"], frozenset({"g"}), 5) == 1.0
    low, high = wilson(45, 50)
    assert 0.78 < low < 0.9 < high < 0.97
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0


def test_prompt_template_shows_ids_and_is_checked():
    prompt = with_context("How long?", [("a.md#0", "It lasts\n 3 hours.")])
    assert "[a.md#0] It lasts 3 hours." in prompt and prompt.endswith("Question: How long?")
    with pytest.raises(InputError, match=r"found \{context\}, \{query\}"):
        check_template("{context} {query}")


def test_settings_errors_name_the_key(tmp_path):
    path = tmp_path / "rag.yaml"
    path.write_text("sources: [docs]\nchunking: {max_tokens: 64, overlap: 64}\nstor: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rag_config(path)
    assert "stor" in str(err.value) and "store" in str(err.value)  # did you mean
    path.write_text("sources: [docs]\n", encoding="utf-8")
    cfg, base = load_rag_config(path)
    assert cfg.sources[0].path == "docs" and base == tmp_path


def test_the_shipped_settings_validate_and_name_existing_sources():
    from tunesmith.rag.config import index_folder, resolve

    from .conftest import KNOWLEDGE

    cfg, base = load_rag_config(KNOWLEDGE / "manuals.yaml")
    assert all(resolve(base, s.path).is_dir() for s in cfg.sources)
    assert index_folder(cfg, KNOWLEDGE / "manuals.yaml").as_posix() == "runs/manuals-index"
