"""GPU-only training settings: FSDP and DeepSpeed ZeRO-2/3 sharding (passed to accelerate), and torch.compile.

A recipe names at most one engine: `train.fsdp` (transformers' `fsdp_config` keys, e.g. `{version: 2,
reshard_after_forward: true}`) or `train.deepspeed` (`{zero_stage: 2 or 3, offload_optimizer, offload_params}`,
or the path of a DeepSpeed JSON config). Launch with `tunesmith train RECIPE --nproc N` (one process per GPU).
Both need CUDA: on CPU, `--nproc N` alone gives plain data parallelism over gloo.
"""

from __future__ import annotations

import importlib.util

from tunesmith.config import ZeroConfig
from tunesmith.errors import InputError


def deepspeed_config(zero: ZeroConfig) -> dict:
    """The DeepSpeed config dict for `zero`; "auto" values are filled in by transformers from the training args."""
    stage = {"stage": zero.zero_stage, "overlap_comm": True, "contiguous_gradients": True}
    if zero.offload_optimizer:
        stage["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    if zero.offload_params:
        stage["offload_param"] = {"device": "cpu", "pin_memory": True}
    if zero.zero_stage == 3:
        stage["stage3_gather_16bit_weights_on_model_save"] = True  # a whole model at save, not shards
    return {
        "zero_optimization": stage,
        "bf16": {"enabled": "auto"},
        "fp16": {"enabled": "auto"},
        "train_micro_batch_size_per_gpu": "auto",
        "gradient_accumulation_steps": "auto",
        "train_batch_size": "auto",
        "gradient_clipping": "auto",
    }


def sharding_args(fsdp: dict | None, deepspeed: ZeroConfig | str | None) -> dict:
    """The recipe's sharding as TrainingArguments fields (none when neither engine is asked for)."""
    if fsdp is not None:
        return {"fsdp": True, "fsdp_config": dict(fsdp)}
    if isinstance(deepspeed, ZeroConfig):
        return {"deepspeed": deepspeed_config(deepspeed)}
    if deepspeed is not None:
        return {"deepspeed": str(deepspeed)}
    return {}


def check_gpu_only(train, cuda: bool) -> None:
    """Refuse, before any loading, the GPU-only settings of `train` this machine cannot run (sharding, compile,
    Liger kernels)."""
    from tunesmith.train.speedups.kernels import resolve_kernels

    resolve_kernels(train.kernels, cuda)
    if train.compile and not cuda:
        raise InputError(
            "train.compile",
            "torch.compile is for GPUs here: on CPU it recompiled for every batch length (25 quickstart steps took "
            "644 s instead of 30 s) and its losses differed from eager training's; leave it off on CPU",
        )
    check_sharding(train.fsdp, train.deepspeed, cuda)


def check_sharding(fsdp: dict | None, deepspeed: ZeroConfig | str | None, cuda: bool) -> None:
    """Refuse sharding this machine cannot run: both engines, no GPU, DeepSpeed missing."""
    if fsdp is not None and deepspeed is not None:
        raise InputError("train.deepspeed", "choose one sharding engine: train.fsdp or train.deepspeed, not both")
    key = "train.fsdp" if fsdp is not None else "train.deepspeed"
    if (fsdp is not None or deepspeed is not None) and not cuda:
        raise InputError(key, "sharded training needs CUDA GPUs; on CPU use `--nproc N` for data-parallel training")
    if isinstance(deepspeed, ZeroConfig) and deepspeed.offload_params and deepspeed.zero_stage != 3:
        raise InputError(key, "offload_params needs zero_stage 3 (ZeRO-2 does not partition parameters)")
    if deepspeed is not None and importlib.util.find_spec("deepspeed") is None:
        raise InputError(key, "DeepSpeed is not installed: pip install 'tunesmith[deepspeed]'")
