"""Pick the training precision: bf16 autocast where the hardware has it, fp16 on older GPUs, fp32 otherwise."""

from __future__ import annotations


def has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def cpu_supports_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX), where bf16 autocast is about 2x faster."""
    import torch

    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_precision(requested: str) -> str:
    """'auto' becomes 'bf16', 'fp16' or 'fp32' for this machine; an explicit choice is checked, not silently changed."""
    import torch

    if requested == "auto":
        if has_cuda():
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return "bf16" if cpu_supports_bf16() else "fp32"
    if requested == "fp16" and not has_cuda():
        from tunesmith.errors import InputError

        raise InputError("train.precision", "fp16 needs a CUDA GPU; use bf16, fp32 or auto on CPU")
    return requested


def frozen_weights(requested: str, precision: str, trains_base: bool, quantized: bool = False) -> str:
    """How the weights that do not train are stored: 'bf16' or 'fp32' ('auto': bf16 under bf16 adapter training).

    Under bf16 autocast every matmul casts its fp32 weight to bf16 anyway; a base stored in bf16 halves its memory
    and skips that cast. Only methods that leave the base frozen qualify (their output never contains it), and not
    quantised bases, which have their own storage.
    """
    eligible = not trains_base and not quantized
    if requested == "auto":
        return "bf16" if precision == "bf16" and eligible else "fp32"
    if requested == "bf16" and (precision != "bf16" or not eligible):
        from tunesmith.errors import InputError

        why = "train.precision bf16 (or auto)" if eligible else "a method that leaves the base frozen (LoRA, IA3 …)"
        raise InputError("train.frozen_weights", f"bf16 frozen weights need {why}")
    return requested


def trainable_in_float32(model) -> int:
    """Cast every trainable parameter to float32 (the optimizer's master weights over a bf16 base); how many."""
    import torch

    cast = 0
    for param in model.parameters():
        if param.requires_grad and param.dtype != torch.float32:
            param.data = param.data.float()
            cast += 1
    return cast
