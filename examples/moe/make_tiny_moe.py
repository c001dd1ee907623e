"""Make a tiny random Mixtral-style mixture-of-experts model, offline, for the MoE example recipe.

    python examples/moe/make_tiny_moe.py [--out DIR] [--experts 4] [--top-k 2] [--layers 2] [--hidden 64] [--seed 0]

Writes a transformers model folder (default examples/moe/tiny-moe/, next to recipe.yaml) with the default model's
tokenizer and chat template (the packaged smollm2-135m alias, no network). Its weights are random: it shows the
mechanics (LoRA on experts, the router's aux loss, expert load), not a useful model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tunesmith.atomic import atomic_dir


def make_tiny_moe(out: Path, experts: int = 4, top_k: int = 2, layers: int = 2, hidden: int = 64, seed: int = 0):
    """Save a random MixtralForCausalLM with `experts` experts (top-`top_k` routing) and SmolLM2's tokenizer."""
    import torch
    from transformers import MixtralConfig, MixtralForCausalLM

    from tunesmith.models.loading import load_tokenizer
    from tunesmith.models.resolve import resolve_model

    tokenizer = load_tokenizer(resolve_model("smollm2-135m"))
    torch.manual_seed(seed)
    config = MixtralConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        num_local_experts=experts,
        num_experts_per_tok=top_k,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    with atomic_dir(out) as tmp:
        MixtralForCausalLM(config).save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "tiny-moe")
    parser.add_argument("--experts", type=int, default=4)
    parser.add_argument("--top-k", type=int, default=2)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    make_tiny_moe(args.out, args.experts, args.top_k, args.layers, args.hidden, args.seed)


if __name__ == "__main__":
    main()
