"""How a run would execute, as the estimate needs it: dtypes, kernels, loss head and optimizer, decided the way
tunesmith's training decides them (train/precision.py, train/speedups/, train/methods/qlora.py)."""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.errors import InputError

EAGER_UP_TO = 192  # tokens: SFT on CPU runs eager attention up to here, SDPA above (train/speedups/attention.py)


@dataclass(frozen=True)
class Setup:
    """The choices that change memory and FLOPs."""

    device_kind: str  # "cpu" or "cuda"
    precision: str  # "fp32", "bf16" or "fp16": the matmuls' dtype (autocast below fp32)
    storage: str  # the frozen base's weights: "fp32", "bf16" or "nf4" (4-bit, QLoRA)
    optimizer: str = "adamw"  # or "paged_adamw_8bit" (QLoRA)
    checkpointing: bool = False
    loss_head: str = "chunked"  # "chunked" (CPU SFT), "fused" (TRL's fused LM head on GPU) or "full" (all logits)
    attention: str = "auto"  # "auto": per batch on CPU (eager ≤ 192 tokens, SDPA above), SDPA (flash) on GPU
    lean_mlp: bool = True  # CPU: tunesmith's SwiGLU keeps gate and up only (train/speedups/lean_layers.py)
    double_quant: bool = True

    @property
    def compute_bytes(self) -> int:
        """Bytes per activation element: 2 under bf16/fp16 autocast, 4 in fp32."""
        return 4 if self.precision == "fp32" else 2

    @property
    def residual_bytes(self) -> int:
        """Bytes per element of the residual stream: fp32 when the model's own dtype is fp32 (a base stored in
        fp32, or a 4-bit base whose other weights PEFT keeps in fp32), even under autocast."""
        return 2 if self.storage == "bf16" else 4

    def eager(self, length: int) -> bool:
        """Whether attention keeps its (rows × heads × length²) probabilities for rows of `length` tokens."""
        if self.attention == "auto":
            return self.device_kind == "cpu" and length <= EAGER_UP_TO
        return self.attention == "eager"


@dataclass(frozen=True)
class Batch:
    """One micro-batch: rows padded to `length` tokens, `tokens` of them real, `labelled` of them scored."""

    rows: int
    length: int
    tokens: int
    labelled: int

    @property
    def padded(self) -> int:
        return self.rows * self.length


def resolve_setup(
    device_kind: str,
    device_bf16: bool,
    method: str,
    trains_base: bool,
    precision: str = "auto",
    frozen_weights: str = "auto",
    checkpointing: bool = False,
    prompt_learning: bool = False,
    stage: str = "sft",
) -> Setup:
    """The Setup tunesmith would train with on that device (precision 'auto' resolved as training resolves it)."""
    if precision == "auto":
        precision = "bf16" if device_bf16 else ("fp16" if device_kind == "cuda" else "fp32")
    if precision == "bf16" and not device_bf16:
        raise InputError("precision", "this device has no bf16; use fp16 (GPU) or fp32")
    if precision == "fp16" and device_kind == "cpu":
        raise InputError("precision", "fp16 needs a CUDA GPU; use bf16, fp32 or auto on CPU")
    quantized = method == "qlora"
    if quantized and device_kind == "cpu":
        raise InputError("method.name", "qlora needs a CUDA GPU (bitsandbytes' 4-bit kernels); use lora on CPU")
    if quantized:
        storage = "nf4"
    elif frozen_weights == "bf16" or (frozen_weights == "auto" and precision == "bf16" and not trains_base):
        storage = "bf16"
    else:
        storage = "fp32"
    if device_kind == "cuda":
        head = "full" if prompt_learning else "fused"  # TRL's fused head scores labelled positions in tiles
    else:  # tunesmith's labelled-only chunked head (SFT); plain TRL scores every position (pretrain)
        head = "chunked" if stage == "sft" and not prompt_learning else "full"
    return Setup(
        device_kind=device_kind,
        precision=precision,
        storage=storage,
        optimizer="paged_adamw_8bit" if quantized else "adamw",
        checkpointing=checkpointing,
        loss_head=head,
        lean_mlp=device_kind == "cpu" and stage == "sft",
    )
