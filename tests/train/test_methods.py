"""Each method makes exactly the parameters it should trainable."""

import pytest
import torch

from tunesmith.config import METHOD_NAMES as METHODS
from tunesmith.errors import InputError
from tunesmith.train.methods import apply_method, count_parameters
from tunesmith.train.methods.freeze import Config as FreezeConfig
from tunesmith.train.methods.full import Config as FullConfig
from tunesmith.train.methods.lora import Config as LoraConfig


@pytest.fixture
def tiny(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)


def linear_shapes(model) -> list[tuple[int, int]]:
    """(in, out) of every nn.Linear inside the decoder layers (what all-linear LoRA targets)."""
    return [
        (m.in_features, m.out_features)
        for n, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and ".layers." in n
    ]


def test_methods_are_found_by_module():
    assert {"full", "freeze", "lora"} <= set(METHODS)


def test_full_trains_everything(tiny):
    trainable, total = count_parameters(apply_method(tiny, FullConfig()))
    assert trainable == total


def test_freeze_trains_only_top_layers(tiny):
    layer_params = sum(p.numel() for p in tiny.model.layers[-1].parameters())
    model = apply_method(tiny, FreezeConfig(trainable_layers=1))
    trainable, _ = count_parameters(model)
    assert trainable == layer_params
    assert all(not p.requires_grad for p in model.model.layers[0].parameters())
    assert all(p.requires_grad for p in model.model.layers[1].parameters())


def test_freeze_can_add_named_modules(tiny):
    model = apply_method(tiny, FreezeConfig(trainable_layers=0, trainable_modules=["model.norm"]))
    assert [n for n, p in model.named_parameters() if p.requires_grad] == ["model.norm.weight"]


def test_freeze_rejects_more_layers_than_exist(tiny):
    with pytest.raises(InputError, match="only 2 layers"):
        apply_method(tiny, FreezeConfig(trainable_layers=5))


def test_lora_counts_r_times_in_plus_out_per_linear(tiny):
    expected = sum(4 * (i + o) for i, o in linear_shapes(tiny))
    model = apply_method(tiny, LoraConfig(r=4, alpha=8))
    trainable, total = count_parameters(model)
    assert trainable == expected
    assert all("lora_" in n for n, p in model.named_parameters() if p.requires_grad)


def test_dora_adds_one_magnitude_per_output_feature(tiny):
    lora = sum(4 * (i + o) for i, o in linear_shapes(tiny))
    magnitudes = sum(o for _, o in linear_shapes(tiny))
    trainable, _ = count_parameters(apply_method(tiny, LoraConfig(r=4, use_dora=True)))
    assert trainable == lora + magnitudes


def test_lora_target_modules_limit_the_adapters(tiny):
    model = apply_method(tiny, LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    names = {n.split(".lora_")[0].split(".")[-1] for n, p in model.named_parameters() if p.requires_grad}
    assert names == {"q_proj", "v_proj"}
