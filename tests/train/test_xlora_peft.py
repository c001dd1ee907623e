"""Why method xlora is not PEFT's XLoraModel: pins the two PEFT 0.21.2 faults docs/mixtures.md describes.

When one of these tests fails, PEFT has changed: re-check whether its X-LoRA now saves its gate and accepts any
adapter names, and if so consider building method xlora on it.
"""

from __future__ import annotations

import pytest
import torch
from peft import LoraConfig, PeftModel, XLoraConfig, get_peft_model
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

IDS = torch.tensor([[1, 17, 230, 4051, 99, 12, 7, 300]])


def base(folder):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.config.use_cache = False  # XLoraModel refuses a model that caches (and so generates without a KV cache)
    return model


@pytest.fixture
def adapters(tiny_model_dir, tmp_path):
    folders = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        config = LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False, task_type="CAUSAL_LM")
        folder = tmp_path / f"lora-{seed}"
        get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), config).save_pretrained(folder)
        folders.append(str(folder))
    return folders


def xlora(tiny_model_dir, adapters: dict) -> PeftModel:
    return get_peft_model(base(tiny_model_dir), XLoraConfig(task_type="CAUSAL_LM", hidden_size=32, adapters=adapters))


def test_adapter_names_other_than_their_positions_fail_at_the_first_forward(tiny_model_dir, adapters):
    """xlora/model.py loads the experts as "0", "1", … but activates the dict's own keys."""
    model = xlora(tiny_model_dir, {"quickstart": adapters[0], "tool_use": adapters[1]})
    with pytest.raises(KeyError, match="quickstart"):
        model(input_ids=IDS)


def test_the_trained_gate_is_not_saved(tiny_model_dir, adapters, tmp_path):
    """save_and_load.py's `_filter_state_dict_for_adapter_name` drops every key holding ".0." or ".1." (the other
    adapters' names), and the gate's weights are `internal_xlora_classifier.layers.0.*`: the file is empty."""
    model = xlora(tiny_model_dir, {"0": adapters[0], "1": adapters[1]})
    gate = [n for n, p in model.named_parameters() if p.requires_grad]
    assert gate == [
        "base_model.internal_xlora_classifier.layers.0.weight",
        "base_model.internal_xlora_classifier.layers.0.bias",
    ]
    model.save_pretrained(tmp_path / "xlora")
    assert load_file(str(tmp_path / "xlora" / "adapter_model.safetensors")) == {}
