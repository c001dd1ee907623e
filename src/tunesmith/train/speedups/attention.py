"""Pick the attention kernel: on CPU, eager attention for short batches and SDPA for longer ones.

On CPU, PyTorch's SDPA (flash attention for CPU) is slow in the backward pass at short lengths: with batches of
about 160 tokens it took 14% of a SmolLM2 LoRA step, and eager attention made the whole step 17% faster. At 256
tokens SDPA was faster again (by 4%) and eager's saved T×T attention weights cost 500 MiB more. So with
`train.attention: auto`, SFT on CPU picks the kernel per batch by its length; elsewhere the model's default stays.
"""

from __future__ import annotations

EAGER_UP_TO = 192  # tokens per row: eager at or below, SDPA above (measured on SmolLM2-135M, 2-core Xeon)


def attention_implementation(requested: str) -> str | None:
    """The `attn_implementation` to load the model with (None: transformers' default for the model, SDPA)."""
    return None if requested == "auto" else requested


def switches_per_batch(requested: str) -> bool:
    """Whether SFT chooses the kernel per batch (auto, on CPU)."""
    from tunesmith.train.precision import has_cuda

    return requested == "auto" and not has_cuda()


def kernel_for_length(length: int, eager: str = "eager") -> str:
    """The faster CPU attention kernel for rows of `length` tokens (`eager`: which eager implementation)."""
    return eager if length <= EAGER_UP_TO else "sdpa"


def use_kernel_for(model, length: int, eager: str = "eager") -> None:
    """Switch `model` (a PEFT model or plain) to the faster CPU kernel for this batch's length, if it changes."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    wanted = kernel_for_length(length, eager)
    if base.config._attn_implementation != wanted:
        base.set_attn_implementation(wanted)
