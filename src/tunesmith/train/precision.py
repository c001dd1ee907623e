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
