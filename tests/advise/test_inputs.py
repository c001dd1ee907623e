"""Bad names are InputErrors with a did-you-mean; devices and methods resolve as training would run them."""

from __future__ import annotations

import pytest

from tunesmith.advise import find_gpu, method_config
from tunesmith.advise.hardware import cpu_device, custom_gpu, gpu_device
from tunesmith.advise.plan import resolve_setup
from tunesmith.advise.workload import from_lengths, from_numbers
from tunesmith.errors import InputError


@pytest.mark.parametrize(
    ("name", "found"), [("h100", "H100-80GB"), ("RTX 4090", "RTX-4090"), ("a100_80gb", "A100-80GB")]
)
def test_gpu_names_ignore_case_spaces_and_dashes(name, found):
    assert find_gpu(name).name == found


def test_unknown_gpu_is_an_input_error_with_a_did_you_mean():
    with pytest.raises(InputError) as exc:
        find_gpu("H1000")
    assert "did you mean 'H100-80GB'?" in str(exc.value) and "--gpu-memory" in str(exc.value)


def test_unknown_method_is_an_input_error_with_a_did_you_mean():
    with pytest.raises(InputError) as exc:
        method_config("lorra")
    assert "did you mean 'lora'?" in str(exc.value)


def test_method_options_are_validated_as_recipe_keys():
    assert method_config("lora", ["r=8", "target_modules=[q_proj, v_proj]"]).r == 8
    assert method_config("dora").use_dora is True
    with pytest.raises(InputError, match="did you mean 'r'"):
        method_config("lora", ["rr=8"])


def test_precision_follows_the_device():
    t4 = gpu_device(find_gpu("t4"))
    assert resolve_setup("cuda", t4.bf16, "lora", False).precision == "fp16"  # Turing has no bf16
    with pytest.raises(InputError, match="no bf16"):
        resolve_setup("cuda", False, "lora", False, precision="bf16")
    with pytest.raises(InputError, match="CUDA"):
        resolve_setup("cpu", True, "qlora", False)
    assert resolve_setup("cuda", True, "qlora", False).storage == "nf4"
    assert resolve_setup("cpu", True, "lora", False).storage == "bf16"  # frozen base in bf16 under bf16
    assert resolve_setup("cpu", True, "full", True).storage == "fp32"  # trained weights stay fp32


def test_custom_gpu_needs_positive_numbers():
    assert gpu_device(custom_gpu(48, 150)).memory_bytes == 48 * 2**30
    with pytest.raises(InputError):
        custom_gpu(0, 150)


def test_cpu_is_measured_on_the_current_threads(monkeypatch):
    from tunesmith.advise import hardware

    rate = hardware.matmul_rate("fp32", seconds=0.01, tries=1, size=64)
    assert rate > 0
    monkeypatch.setattr(hardware, "matmul_rate", lambda dtype: rate)
    device = cpu_device("bf16")
    assert device.kind == "cpu" and device.peak_flops > 0 and device.flops_per_second < device.peak_flops
    assert device.optimizer_seconds_per_param > 0 and device.memory_bytes > 2**30


def test_batches_are_padded_to_their_longest_row_rounded_up():
    work = from_lengths([(10, 3), (17, 5), (9, 1)], 3, 2, 8, seed=0, source="test")
    assert sorted(b.rows for b in work.batches) == [1, 2]
    assert all(b.length % 8 == 0 for b in work.batches)
    assert sum(b.tokens for b in work.batches) == 36 and sum(b.labelled for b in work.batches) == 9
    assert from_numbers(100, 5000, 8, 1024).longest.length == 1024  # cut at max_length
