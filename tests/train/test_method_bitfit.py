"""BitFit trains exactly the bias terms, and refuses a model that has none instead of training nothing."""

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

from tests.conftest import save_tiny_llama
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.methods import apply_method, count_parameters
from tunesmith.train.methods.bitfit import Config
from tunesmith.train.run import train

BIASES_PER_LAYER = 32 + 16 + 16 + 32 + 64 + 64 + 32  # q, k, v, o, gate, up, down outputs


@pytest.fixture(scope="module")
def biased_model_dir(tmp_path_factory, smol_tokenizer):
    """The conftest tiny Llama, with biases on its attention and MLP projections."""
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-biased"), smol_tokenizer, attention_bias=True, mlp_bias=True)


def test_a_model_without_biases_is_refused(tiny_model_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    with pytest.raises(InputError, match="this model has none.*choose another method, e.g. lora"):
        apply_method(model, Config())
    assert all(p.requires_grad for p in model.parameters())  # refused before freezing anything


def test_only_biases_train(biased_model_dir):
    model = apply_method(AutoModelForCausalLM.from_pretrained(biased_model_dir), Config())
    assert count_parameters(model)[0] == 2 * BIASES_PER_LAYER
    assert all(n.endswith(".bias") for n, p in model.named_parameters() if p.requires_grad)


def test_bitfit_run_changes_only_bias_terms(make_recipe, biased_model_dir):
    recipe = make_recipe(model=str(biased_model_dir), method={"name": "bitfit"}, train={"learning_rate": 1e-2})
    assert train(recipe).trainable_params == 2 * BIASES_PER_LAYER
    before = load_file(str(biased_model_dir / "model.safetensors"))
    after = load_file(str(RunDir(recipe.run_dir).final / "model.safetensors"))
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {k for k in before if k.endswith(".bias")}
