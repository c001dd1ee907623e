"""Cross entropy through the LM head a chunk of tokens at a time: a batch's full logits are never in memory.

With a 49k vocabulary, the float32 logits of 1,000 answer tokens, their softmax and its gradient are 600 MB, a
training step's largest allocation by far. Here each chunk's logits are made, turned into the loss and its
gradient with respect to the hidden states (and the head's weight, if it trains), and dropped before the next
chunk; backward only scales the stored gradients. The arithmetic is the unchunked head's: logits in the matmul's
dtype (bf16 under autocast), softmax in float32.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

CHUNK_BYTES = 16 * 2**20  # one chunk's float32 logits; small enough that the allocator reuses them chunk to chunk
EXP_FLOOR = -87.0  # float32 exp underflows below about -87.3, where torch's CPU exp is 50-100x slower; e^-87 ≈ 0
SCALED_HEAD_KEYS = ("final_logit_softcapping", "logit_scale", "logits_scaling")  # configs whose logits are not h @ W


class _ChunkedCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, targets, with_stats: bool):
        compute = _matmul_dtype(hidden, weight)
        w = weight.detach().to(compute)
        rows = max(1, CHUNK_BYTES // (4 * weight.size(0)))
        total = torch.zeros((), dtype=torch.float32, device=hidden.device)
        stats = torch.zeros(2, dtype=torch.float32, device=hidden.device)  # entropy sum, correct tokens
        grad_hidden = torch.empty_like(hidden)
        grad_weight = torch.zeros_like(weight, dtype=torch.float32) if ctx.needs_input_grad[1] else None
        with torch.autocast(hidden.device.type, enabled=False):
            for start in range(0, hidden.size(0), rows):
                h = hidden[start : start + rows].detach().to(compute)
                t = targets[start : start + rows]
                logits = (h @ w.T).float()
                target_logit = logits.gather(1, t.unsqueeze(1)).squeeze(1)
                top = logits.amax(-1, keepdim=True)
                shifted = logits.sub_(top).clamp_(min=EXP_FLOOR)  # in place: one chunk-sized buffer
                probs = shifted.exp() if with_stats else shifted.exp_()
                sum_exp = probs.sum(-1, keepdim=True)
                probs.div_(sum_exp)  # the softmax
                lse = (top + sum_exp.log()).squeeze(1)
                total += (lse - target_logit).sum()
                if with_stats:
                    stats[0] += (sum_exp.log().squeeze(1) - (probs * shifted).sum(-1)).sum()  # -sum p log p
                    stats[1] += (target_logit >= top.squeeze(1)).sum()
                probs[torch.arange(len(t), device=t.device), t] -= 1  # now d(summed loss)/d(logits)
                grad = probs.to(compute)
                grad_hidden[start : start + rows] = grad @ w
                if grad_weight is not None:
                    grad_weight += grad.T.float() @ h.float()
        ctx.save_for_backward(grad_hidden, grad_weight)
        ctx.weight_dtype = weight.dtype
        ctx.mark_non_differentiable(stats)
        return total, stats

    @staticmethod
    def backward(ctx, grad_total, _grad_stats):
        grad_hidden, grad_weight = ctx.saved_tensors
        d_hidden = grad_hidden * grad_total.to(grad_hidden.dtype)
        d_weight = None if grad_weight is None else (grad_weight * grad_total).to(ctx.weight_dtype)
        return d_hidden, d_weight, None, None


def _matmul_dtype(hidden: torch.Tensor, weight: torch.Tensor) -> torch.dtype:
    """The dtype the unchunked head's matmul would run in: autocast's if it is on, else the operands' common one."""
    device = hidden.device.type
    if torch.is_autocast_enabled(device):
        return torch.get_autocast_dtype(device)
    return torch.promote_types(hidden.dtype, weight.dtype)


def chunked_cross_entropy(hidden, weight, targets, with_stats: bool = False):
    """(summed cross entropy of `targets` under logits `hidden @ weight.T`, [entropy sum, correct-token count]).

    hidden: (tokens, hidden size), only tokens that carry a label; targets: (tokens,) with no ignore index. The
    statistics, for logging, cost one more pass over each chunk and are zeros unless `with_stats`.
    """
    return _ChunkedCrossEntropy.apply(hidden, weight, targets, with_stats)


def plain_head(model):
    """The LM head if the logits are exactly `hidden @ head.weight.T` (no bias, adapter or scaling), else None."""
    unwrapped = getattr(model, "module", model)  # DistributedDataParallel
    head = unwrapped.get_output_embeddings()
    if type(head) is not torch.nn.Linear or head.bias is not None:
        return None
    config = unwrapped.config.get_text_config()
    if any(getattr(config, key, None) not in (None, 1, 1.0) for key in SCALED_HEAD_KEYS):
        return None
    return head


@contextmanager
def head_returns_hidden_states(head: torch.nn.Module):
    """Inside, `head` passes its input through, so the model's `logits` are the final hidden states."""
    head.forward = _identity
    try:
        yield
    finally:
        del head.forward


def _identity(x):
    return x
