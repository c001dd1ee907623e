"""Prefixes that start as real tokens' keys and values (Li & Liang 2021; P-tuning v2), not PEFT's N(0, 1) draw.

PEFT starts every layer's key/value prefix from N(0, 1), far from any key or value the model has seen, which
wrecks its attention at step 0. Here the frozen base model reads a text and the keys and values its layers cache
for the first `num_virtual_tokens` tokens become the prefixes: at step 0 the model sees every input as if that
text came before it (positions too: PEFT numbers the input from `num_virtual_tokens` on, as the cache is that long).
"""

from __future__ import annotations

import torch


def text_ids(tokenizer, text: str, n: int) -> torch.Tensor:
    """`text`'s token ids, repeated until there are `n` and cut there; shape (1, n)."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if not ids:
        raise ValueError("the prefix init text has no tokens")
    ids = (ids * (n // len(ids) + 1))[:n]
    return torch.tensor([ids])


@torch.no_grad()
def real_prefixes(base, ids: torch.Tensor) -> torch.Tensor:
    """The keys and values `base` caches for `ids`, in PEFT's prefix layout: (tokens, layers · 2 · kv heads · head dim).

    PEFT's `get_prompt` views a row as (layers · 2, kv heads, head dim), key of layer l at 2l and its value at 2l + 1.
    """
    training = base.training
    base.eval()
    try:
        out = base(input_ids=ids.to(base.device), use_cache=True)
    finally:
        base.train(training)
    cache = getattr(out, "cache", None)  # transformers renamed `past_key_values` to `cache` in 5.x
    cache = out.past_key_values if cache is None else cache
    layers = [torch.stack([layer.keys[0], layer.values[0]]) for layer in cache.layers]  # each (2, heads, n, dim)
    stacked = torch.stack(layers)  # (layers, 2, heads, n, dim)
    return stacked.permute(3, 0, 1, 2, 4).reshape(ids.shape[1], -1).float()


def fit_projection(encoder, target: torch.Tensor) -> None:
    """Set the prefix MLP's output layer so that MLP(embedding) == `target` exactly, everything else kept as drawn.

    The hidden activations H = tanh(W1·E + b1) of the `n` virtual tokens have rank n (n ≤ the MLP's width, a random
    draw), so W2 = pinv(H)·(target − mean) with b2 = mean is an exact, minimum-norm solution: training starts from
    the real keys and values and still goes through Li & Liang's reparameterisation.
    """
    first, last = encoder.transform[0], encoder.transform[-1]
    with torch.no_grad():
        hidden = torch.tanh(first(encoder.embedding.weight)).double()
        if torch.linalg.matrix_rank(hidden) < hidden.shape[0]:
            raise ValueError("the prefix MLP is narrower than num_virtual_tokens; it cannot reproduce the prefixes")
        target = target.to(hidden)
        mean = target.mean(dim=0)
        weight = torch.linalg.pinv(hidden) @ (target - mean)  # (width, out)
        last.weight.copy_(weight.T.to(last.weight))
        last.bias.copy_(mean.to(last.bias))


def init_from_text(model, tokenizer, text: str) -> None:
    """Start the prefixes of PEFT prefix-tuning `model` as `text`'s keys and values in its (frozen) base model."""
    config = model.active_peft_config
    encoder = model.prompt_encoder[model.active_adapter]
    target = real_prefixes(model.get_base_model(), text_ids(tokenizer, text, config.num_virtual_tokens))
    width = config.num_layers * 2 * config.token_dim
    if target.shape[1] != width:
        raise ValueError(f"the base model caches {target.shape[1]} values per token; PEFT's prefix holds {width}")
    if encoder.prefix_projection:
        fit_projection(encoder, target)
    else:
        with torch.no_grad():
            encoder.embedding.weight.copy_(target.to(encoder.embedding.weight))
