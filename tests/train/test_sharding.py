"""GPU-only settings: FSDP / DeepSpeed ZeRO become accelerate's arguments, and CPU machines refuse them clearly."""

from __future__ import annotations

import pytest
from transformers import TrainingArguments

from tunesmith.errors import InputError
from tunesmith.train.run import train
from tunesmith.train.sharding import ZeroConfig, check_sharding, deepspeed_config, sharding_args


def test_zero_3_with_offload_is_a_deepspeed_config_whose_batch_comes_from_the_recipe():
    config = deepspeed_config(ZeroConfig(zero_stage=3, offload_optimizer=True, offload_params=True))
    stage = config["zero_optimization"]
    assert stage["stage"] == 3 and stage["offload_optimizer"]["device"] == "cpu"
    assert stage["offload_param"]["device"] == "cpu" and stage["stage3_gather_16bit_weights_on_model_save"]
    assert config["train_micro_batch_size_per_gpu"] == config["gradient_accumulation_steps"] == "auto"
    assert "offload_param" not in deepspeed_config(ZeroConfig(zero_stage=2))["zero_optimization"]


def test_fsdp_settings_pass_through_as_transformers_fsdp_config():
    args = sharding_args({"version": 2, "reshard_after_forward": False}, None)
    assert args == {"fsdp": True, "fsdp_config": {"version": 2, "reshard_after_forward": False}}
    assert sharding_args(None, "ds.json") == {"deepspeed": "ds.json"} and sharding_args(None, None) == {}
    assert TrainingArguments(output_dir="x", use_cpu=True, **sharding_args(None, None)).fsdp in (None, False, [])


@pytest.mark.parametrize(
    "fsdp, deepspeed, cuda, message",
    [
        ({"version": 2}, ZeroConfig(), True, "choose one sharding engine"),
        ({"version": 2}, None, False, "needs CUDA GPUs; on CPU use `--nproc N`"),
        (None, ZeroConfig(zero_stage=2, offload_params=True), True, "offload_params needs zero_stage 3"),
    ],
)
def test_sharding_this_machine_cannot_run_is_refused(fsdp, deepspeed, cuda, message):
    with pytest.raises(InputError, match=message):
        check_sharding(fsdp, deepspeed, cuda)


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"deepspeed": {"zero_stage": 3}}, "train.deepspeed"),
        ({"compile": True}, "train.compile"),
        ({"kernels": "liger"}, "train.kernels"),
    ],
)
def test_a_cpu_run_with_gpu_only_settings_stops_before_loading_anything(make_recipe, tmp_path, settings, key):
    import torch

    if torch.cuda.is_available():
        pytest.skip("the CPU refusal")
    recipe = make_recipe(train={"max_steps": 1, **settings}, output={"dir": str(tmp_path / "runs")})
    with pytest.raises(InputError, match=key):
        train(recipe)
    assert not (tmp_path / "runs").exists()
