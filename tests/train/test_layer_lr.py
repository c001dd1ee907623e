"""Layer-wise learning-rate decay for `full` and `freeze`: the top layer at the base rate, lower layers slower."""

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

from tunesmith.runs import RunDir
from tunesmith.train.methods import TrainingPlan, apply_method, find_method
from tunesmith.train.methods.freeze import Config as FreezeConfig
from tunesmith.train.methods.full import Config as FullConfig
from tunesmith.train.run import train

PLAN = TrainingPlan(total_steps=10, learning_rate=1e-3, weight_decay=0.1)


@pytest.fixture
def tiny(tiny_model_dir):
    return AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)


def settings_by_name(model, optim) -> dict[str, tuple[float, float]]:
    """Each parameter's (lr, weight_decay) in the optimizer."""
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: (g["lr"], g["weight_decay"]) for g in optim.param_groups for p in g["params"]}


def test_full_decays_the_rate_layer_by_layer_down_to_the_embeddings(tiny):
    cfg = FullConfig(layer_lr_decay=0.5)
    model = apply_method(tiny, cfg, PLAN)
    got = settings_by_name(model, find_method(cfg.name).optimizer(model, cfg, PLAN))
    assert set(got) == {n for n, _ in model.named_parameters()}  # every weight once (the tied LM head is embed)
    assert got["model.layers.1.self_attn.q_proj.weight"] == (pytest.approx(1e-3), 0.1)
    assert got["model.layers.1.input_layernorm.weight"] == (pytest.approx(1e-3), 0.0)  # no decay on vectors
    assert got["model.layers.0.mlp.down_proj.weight"] == (pytest.approx(5e-4), 0.1)
    assert got["model.embed_tokens.weight"] == (pytest.approx(2.5e-4), 0.1)  # lowest: below layer 0
    assert got["model.norm.weight"] == (pytest.approx(1e-3), 0.0)  # above the top layer: base rate


def test_freeze_groups_only_the_trainable_layers_at_their_depth(tiny):
    cfg = FreezeConfig(trainable_layers=1, trainable_modules=["embed_tokens"], layer_lr_decay=0.1)
    model = apply_method(tiny, cfg, PLAN)
    got = settings_by_name(model, find_method(cfg.name).optimizer(model, cfg, PLAN))
    assert {n.split(".")[1] for n in got} == {"layers", "embed_tokens"}
    assert all(n.startswith("model.layers.1.") or n == "model.embed_tokens.weight" for n in got)
    assert sorted({lr for n, (lr, _) in got.items() if "layers.1." in n}) == pytest.approx([1e-3])
    assert got["model.embed_tokens.weight"][0] == pytest.approx(1e-5)  # two levels below the top layer


def test_no_decay_leaves_the_optimizer_to_the_trainer(tiny):
    assert find_method("full").optimizer(tiny, FullConfig(), PLAN) is None
    assert find_method("freeze").optimizer(tiny, FreezeConfig(), PLAN) is None


def test_decay_must_be_in_zero_one():
    with pytest.raises(ValueError):
        FullConfig(layer_lr_decay=0.0)
    with pytest.raises(ValueError):
        FreezeConfig(layer_lr_decay=1.5)


def test_a_full_run_moves_lower_layers_less(make_recipe, tiny_model_dir):
    recipe = make_recipe(
        method={"name": "full", "layer_lr_decay": 0.01}, train={"scheduler": "constant", "keep_best": False}
    )
    train(recipe)
    before, after = (
        load_file(str(tiny_model_dir / "model.safetensors")),
        load_file(str(RunDir(recipe.run_dir).final / "model.safetensors")),
    )

    def moved(prefix: str) -> float:
        return max(float((after[k] - before[k]).abs().max()) for k in before if k.startswith(prefix))

    top, lower, embed = moved("model.layers.1."), moved("model.layers.0."), moved("model.embed_tokens")
    assert top > 0 and lower > 0 and embed > 0
    assert lower < 0.05 * top and embed < 0.05 * lower  # Adam steps scale with each group's rate (1e-2 apart)
