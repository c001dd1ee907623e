"""Peak training memory from named terms, each with its formula and the numbers plugged in.

peak = weights + optimizer state + autocast copies + framework + max(gradients, activations + loss head [+ on
CPU, what the allocator keeps of them]): backward frees a block's activations as it makes its weights'
gradients, so the two peak at different times (activations when backward starts, gradients at the optimizer
step).

Activations follow Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models",
Sec. 4.1), whose GPT block keeps sbh(34 + 5as/h) bytes in 16-bit: `block_bytes_per_token` counts the same tensors
for the block as tunesmith trains it (SwiGLU, RMSNorm's fp32 input copy, grouped KV heads, autocast's per-reader
casts over an fp32 residual, no dropout in Llama-family models, only the inputs a trained weight or an adapter
needs, adapters), and with Megatron's settings it gives their 34h + 5as (tests/advise/test_memory.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.advise.hardware import GPU_OVERHEAD_BYTES
from tunesmith.advise.plan import Batch, Setup
from tunesmith.advise.shape import ModelShape

MIB = 2**20
# A CPU training process before its model: Python, torch, transformers, TRL, PEFT, datasets, the tokenizer and the
# tokenized data: bench/advise_check.py's `baseline` row, 552 MiB on the quickstart (calibration run).
CPU_RUNTIME_BYTES = 552 * MIB
# glibc keeps freed activation memory resident between and within steps (the next step reuses it), so a CPU run's
# peak RSS exceeds the sum of live tensors. One global factor on activations and the loss head, set by
# bench/advise_check.py's calibration run (docs/advise.md, "Calibration"): the geometric mean of what the lora
# (1.85), full (1.42), freeze (2.43) and ia3 (1.48) runs implied. Not applied on GPUs (never measured here).
CPU_ALLOCATOR_FACTOR = 1.75
CHUNK_BYTES = 16 * MIB  # the CPU head's float32 logits per chunk (train/speedups/chunked_head.py)


@dataclass(frozen=True)
class Term:
    """One part of the peak: its name, bytes, and the formula with the numbers in it."""

    name: str
    bytes: int
    formula: str


def memory_terms(shape: ModelShape, setup: Setup, batch: Batch) -> list[Term]:
    """Every term of the peak for the micro-batch `batch`; their sum is the estimate."""
    terms = [
        weights_term(shape, setup),
        Term("gradients", 4 * shape.trainable_params, f"{shape.trainable_params:,} trainable × 4 B (fp32)"),
        optimizer_term(shape, setup),
        autocast_term(shape, setup),
        activations_term(shape, setup, batch),
        loss_head_term(shape, setup, batch),
    ]
    if setup.device_kind == "cpu":
        dynamic = terms[4].bytes + terms[5].bytes
        extra = int((CPU_ALLOCATOR_FACTOR - 1) * dynamic)
        terms.append(Term("allocator", extra, f"({CPU_ALLOCATOR_FACTOR} − 1) × (activations + loss head)"))
        terms.append(Term("framework", CPU_RUNTIME_BYTES, "Python, torch, transformers, TRL, data (measured RSS)"))
    else:
        terms.append(Term("framework", GPU_OVERHEAD_BYTES, "CUDA context, kernels, workspaces (assumed)"))
    return terms


DYNAMIC = ("activations", "loss head", "allocator")


def peak_bytes(terms: list[Term]) -> int:
    """The peak: every term, with gradients and the activations (and what frees with them) counted as whichever
    is larger."""
    by = {t.name: t.bytes for t in terms}
    dynamic = sum(by.get(name, 0) for name in DYNAMIC)
    fixed = sum(b for name, b in by.items() if name not in DYNAMIC and name != "gradients")
    return fixed + max(by["gradients"], dynamic)


PEAK_FORMULA = "weights + optimizer + autocast + framework + max(gradients, activations + loss head + allocator)"


def weights_term(shape: ModelShape, setup: Setup) -> Term:
    """The model's weights as stored: 4-bit NF4 with its quantisation constants, bf16, or fp32; trainable
    parameters always in fp32 (they are the optimizer's master weights: no separate copy is kept)."""
    frozen = shape.total_params - shape.trainable_params
    if setup.storage == "nf4":
        quant = shape.quantizable_params
        # NF4: 4 bits each, one absmax per 64 weights: 8-bit with double quantisation, plus an fp32 constant per
        # 256 blocks (Dettmers et al. 2023, Sec. 3); fp32 absmax per 64 without it. PEFT keeps the rest in fp32.
        per = 0.5 + 1 / 64 + 4 / (64 * 256) if setup.double_quant else 0.5 + 4 / 64
        rest = shape.total_params - quant
        size = int(quant * per + rest * 4)
        text = f"{quant:,} × {per:.4f} B (NF4 + constants) + {rest:,} × 4 B (fp32: embeddings, norms, adapters)"
        return Term("weights", size, text)
    per = 2 if setup.storage == "bf16" else 4
    size = frozen * per + shape.trainable_params * 4
    if frozen == 0:
        return Term("weights", size, f"{shape.trainable_params:,} × 4 B (fp32, trained)")
    return Term("weights", size, f"{frozen:,} frozen × {per} B + {shape.trainable_params:,} trained × 4 B")


def optimizer_term(shape: ModelShape, setup: Setup) -> Term:
    """AdamW's two moments per trainable parameter: fp32 (8 B), or 8-bit in QLoRA's paged AdamW (2 B)."""
    per, label = (2, "paged 8-bit AdamW, 2 moments × 1 B") if setup.optimizer == "paged_adamw_8bit" else (8, "AdamW")
    if per == 8:
        label = "AdamW, 2 fp32 moments"
    return Term("optimizer", per * shape.trainable_params, f"{shape.trainable_params:,} × {per} B ({label})")


def autocast_term(shape: ModelShape, setup: Setup) -> Term:
    """Under bf16/fp16 autocast, the 16-bit copy of each fp32 trainable matmul weight, cached for the step."""
    if setup.precision == "fp32":
        return Term("autocast copies", 0, "none (fp32 training)")
    weights = shape.trainable_linear_params * shape.graph_layers + shape.adapter_params_per_layer * shape.layers
    c = setup.compute_bytes
    return Term("autocast copies", weights * c, f"{weights:,} trainable matmul weights × {c} B")


def activations_term(shape: ModelShape, setup: Setup, batch: Batch) -> Term:
    """What backward needs, kept through the step: per block × tokens × blocks in the graph."""
    length = batch.length + shape.virtual_tokens
    tokens = batch.rows * length
    per = block_bytes_per_token(shape, setup, length)
    n = shape.graph_layers
    if n == 0:
        return Term("activations", 0, "none: no block trains")
    if setup.checkpointing:  # each block keeps its input; one block's full set while it is recomputed
        kept = setup.residual_bytes * shape.hidden
        size = tokens * (kept * n + per)
        return Term("activations", size, f"{tokens:,} tokens × ({kept} B × {shape.hidden} × {n} blocks + {per:,} B)")
    return Term("activations", tokens * per * n, f"{tokens:,} tokens × {per:,} B/token/block × {n} blocks")


def block_bytes_per_token(shape: ModelShape, setup: Setup, length: int) -> int:
    """Bytes one decoder block keeps for backward per token, as tunesmith trains it on this device."""
    c, x = setup.compute_bytes, setup.residual_bytes
    eager = setup.eager(length)
    probs = c if x == c else 4 + c  # an fp32 mask makes the softmax fp32, and autocast copies it for the matmul
    casts = x > c  # an fp32 residual under autocast: each linear that keeps its input keeps its own 16-bit copy
    r = shape.readers
    base = block_bytes(
        shape,
        compute=c,
        norm_input=4,  # transformers' RMSNorm/LayerNorm keeps an fp32 copy of its input
        norm_output=x if shape.norms_train else 0,  # the normalised input, for a trained norm weight's gradient
        probs=probs if eager else 0,
        length=length,
        kept_inputs=(_copies(r.qkv, casts), min(r.out, 1), _copies(r.up, casts), min(r.down, 1)),
        lean_mlp=setup.lean_mlp,
        dropout=shape.dropout > 0,
        lse=0 if eager else 4 * shape.heads,  # flash/SDPA keeps the log-sum-exp instead of the probabilities
    )
    return base + adapter_bytes(shape, c)


def _copies(readers: int, casts: bool) -> int:
    """Copies of a shared input kept: one, or one per reader when each casts it from fp32 itself."""
    return readers if casts else min(readers, 1)


def block_bytes(
    shape: ModelShape,
    compute: int,
    norm_input: int,
    norm_output: int,
    probs: int,
    length: int,
    kept_inputs: tuple[int, int, int, int] = (1, 1, 1, 1),
    lean_mlp: bool = False,
    dropout: bool = False,
    lse: int = 0,
) -> int:
    """One block's kept bytes per token (Korthikanti et al.'s accounting, generalised to what is trained):

    norms 2 × (norm_input·h + 4 [rstd] + norm_output·h); attention: its input c·h per kept copy, q, k, v
    c·(heads + 2·kv_heads)·head_dim, probabilities probs·heads·s (+ dropout mask and output 3·heads·s), its
    output c·h if kept (+ dropout mask h); MLP: its input c·h per kept copy, SwiGLU gate and up 2c·f (lean) or
    gate, silu(gate) and up 3c·f, GELU's input c·f, the product c·f if kept (+ dropout mask h). An input is kept
    when a linear layer reading it trains its weight or carries an adapter (`kept_inputs`: q/k/v, attention
    output, MLP input, MLP product).
    """
    h, f, c = shape.hidden, shape.ffn, compute
    qkv_in, out_in, up_in, down_in = kept_inputs
    norms = 2 * ((norm_input + norm_output) * h + 4)
    qkv = c * (shape.heads + 2 * shape.kv_heads) * shape.head_dim
    scores = probs * shape.heads * length + (3 * shape.heads * length if dropout and probs else 0)
    attention = qkv_in * c * h + qkv + scores + out_in * c * h + lse + (h if dropout else 0)
    inner = ((2 if lean_mlp else 3) if shape.gated_mlp else 1) * c * f
    mlp = up_in * c * h + inner + down_in * c * f + (h if dropout else 0)
    return norms + attention + mlp


def adapter_bytes(shape: ModelShape, c: int) -> int:
    """What each adapted linear layer keeps besides its base: LoRA's B input (c·r), with dropout its own dropped
    copy of the input and mask ((c + 1)·in), DoRA the base and LoRA outputs (2c·out); IA³ the tensor it scales
    (its input in fp32, or its output)."""
    total = 0
    for a in shape.adapters:
        if a.kind == "lora":
            dropped = (c + 1) * a.in_features if a.dropout > 0 else 0
            total += c * a.rank + dropped + (2 * c * a.out_features if a.dora else 0)
        elif a.kind == "ia3_out":
            total += c * a.out_features
        elif a.kind == "ia3_in":
            total += 4 * a.in_features  # PEFT casts the input to the fp32 vector's dtype before scaling
        else:
            total += c * a.rank
    return total


def loss_head_term(shape: ModelShape, setup: Setup, batch: Batch) -> Term:
    """The LM head and loss: all logits (tokens × vocab × (c + 4 + 4): the 16-bit logits, fp32 log-softmax kept
    for backward, its fp32 gradient), or the labelled-only heads that never hold them (chunked on CPU, TRL's
    fused tiles on GPU): the hidden-state gradient, a chunk of fp32 logits, an fp32 head gradient if it trains."""
    c, v, h = setup.compute_bytes, shape.vocab, shape.hidden
    if setup.loss_head == "full":
        tokens = batch.rows * (batch.length + shape.virtual_tokens)
        return Term("loss head", tokens * v * (c + 8), f"{tokens:,} tokens × {v:,} vocab × ({c} + 4 + 4) B (logits)")
    grad = 4 * v * h if shape.head_trains else 0
    copy = v * h * c if setup.storage == "fp32" and c < 4 else 0  # the fp32 head cast for the matmuls
    kept = 2 * batch.labelled * h * c
    if setup.loss_head == "chunked":
        chunk = int(CHUNK_BYTES * (1 + c / 4))
        text = f"2 × {batch.labelled:,} labelled × {h} × {c} B + 16 MiB logits chunk × {1 + c / 4:g}"
    else:
        chunk, text = 0, f"2 × {batch.labelled:,} labelled × {h} × {c} B (fused head: no logits kept)"
    if grad or copy:
        text += f" + {v:,} × {h} × ({4 if grad else 0} + {c if copy else 0}) B (head gradient, {c * 8}-bit copy)"
    return Term("loss head", kept + chunk + grad + copy, text)
