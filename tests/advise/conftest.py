"""A tiny Llama config whose terms are small enough to add up by hand (nothing is downloaded or loaded)."""

from __future__ import annotations

import pytest


@pytest.fixture
def tiny_config():
    """hidden 64, ffn 128, 2 layers, 4 heads of 16 (2 KV heads), vocab 100, tied embeddings: 80,448 parameters."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=100,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=True,
    )
