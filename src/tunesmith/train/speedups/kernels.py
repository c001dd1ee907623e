"""Which fused layer kernels training uses (`train.kernels`): Liger's Triton kernels on GPUs, tunesmith's lean
autograd layers (tunesmith.train.speedups.lean_layers) on CPU.

Liger (RMSNorm, RoPE, SwiGLU; TRL keeps its own fused LM head) needs Triton, so a GPU; on CPU the lean layers
save the activations that transformers' own RMSNorm and SwiGLU keep twice.
"""

from __future__ import annotations

import importlib.util

from tunesmith.errors import InputError


def resolve_kernels(requested: str, cuda: bool) -> str:
    """'lean', 'liger' or 'none' for `requested` ('auto': Liger on a GPU where it is installed, lean on CPU)."""
    liger_installed = importlib.util.find_spec("liger_kernel") is not None
    if requested == "auto":
        if cuda:
            return "liger" if liger_installed else "none"
        return "lean"
    if requested == "liger" and not cuda:
        raise InputError("train.kernels", "liger needs a CUDA GPU (its kernels are Triton); use lean or auto on CPU")
    if requested == "liger" and not liger_installed:
        raise InputError("train.kernels", "liger is not installed: pip install 'tunesmith[liger]'")
    return requested
