"""Tiny random mixture-of-experts models from a config (hidden 32, 2 layers, 4 experts, top-2) for the MoE tests."""

from __future__ import annotations

from pathlib import Path

ARCHITECTURES = ("mixtral", "qwen2_moe", "deepseek_v3")


def tiny_moe(kind: str = "mixtral", vocab_size: int = 128, **overrides):
    """A random tiny MoE causal LM of architecture `kind` (seed 0)."""
    import torch
    import transformers

    torch.manual_seed(0)
    common = dict(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2)
    common |= dict(num_attention_heads=4, max_position_embeddings=512, tie_word_embeddings=False)
    if kind == "mixtral":
        config = transformers.MixtralConfig(
            **common, num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2, **overrides
        )
        return transformers.MixtralForCausalLM(config)
    if kind == "qwen2_moe":
        config = transformers.Qwen2MoeConfig(
            **common, num_key_value_heads=2, num_experts=4, num_experts_per_tok=2, moe_intermediate_size=32,
            shared_expert_intermediate_size=32, **overrides,
        )  # fmt: skip
        return transformers.Qwen2MoeForCausalLM(config)
    if kind == "deepseek_v3":
        config = transformers.DeepseekV3Config(
            **common, num_key_value_heads=4, n_routed_experts=4, num_experts_per_tok=2, moe_intermediate_size=32,
            n_group=1, topk_group=1, first_k_dense_replace=0, q_lora_rank=16, kv_lora_rank=16, qk_rope_head_dim=8,
            qk_nope_head_dim=8, v_head_dim=8, **overrides,
        )  # fmt: skip
        return transformers.DeepseekV3ForCausalLM(config)
    raise ValueError(kind)


def save_tiny_moe(folder: Path, tokenizer, kind: str = "mixtral") -> Path:
    """Save a tiny MoE model of `kind` with `tokenizer` (its vocabulary and special tokens) into `folder`."""
    ids = dict(bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = tiny_moe(kind, vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **ids)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
