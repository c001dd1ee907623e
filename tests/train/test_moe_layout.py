"""MoE layout: experts and routers found in transformers' MoE models, LoRA put where `method.moe` says, refusals.

No training here (see test_moe.py): tiny random models from a config, hidden 32, 2 layers, 4 experts, top-2.
"""

import inspect

import pytest
import torch

from tests.train.moe_models import ARCHITECTURES, tiny_moe
from tunesmith.config import validate_recipe
from tunesmith.config.methods import LoraConfig
from tunesmith.errors import InputError
from tunesmith.train.methods import lora
from tunesmith.train.moe import moe_layers, routed_experts


def trainable(model) -> list[str]:
    return [n for n, p in model.named_parameters() if p.requires_grad]


@pytest.mark.parametrize("kind", ARCHITECTURES)
def test_routed_experts_reads_the_call_transformers_makes(kind):
    """The one library-internal detail (the experts' call signature): fails loudly when transformers changes it."""
    model = tiny_moe(kind)
    layers = moe_layers(model)
    assert [layer.block for layer in layers] == ["model.layers.0.mlp", "model.layers.1.mlp"]
    assert {layer.num_experts for layer in layers} == {4}
    modules = dict(model.named_modules())
    seen = []
    for layer in layers:
        experts = modules[layer.experts]
        params = list(inspect.signature(type(experts).forward).parameters)
        assert params[:4] == ["self", "hidden_states", "top_k_index", "top_k_weights"], params
        experts.register_forward_pre_hook(lambda m, a, k: seen.append(routed_experts(a, k)), with_kwargs=True)
    model(input_ids=torch.randint(0, 128, (2, 5)))
    assert len(seen) == 2
    for index in seen:
        assert index is not None and index.dtype == torch.long and tuple(index.shape) == (10, 2)
        assert int(index.min()) >= 0 and int(index.max()) < 4


def lora_on(model, **moe):
    cfg = LoraConfig(r=4, alpha=8, dropout=0.0, moe=moe)
    return lora.apply(model, cfg)


@pytest.mark.parametrize("kind", ["mixtral", "qwen2_moe"])
def test_lora_goes_on_attention_experts_or_both(kind):
    attention = trainable(lora_on(tiny_moe(kind), lora_on="attention"))
    assert attention and all(".self_attn." in n and ".lora_" in n for n in attention)
    experts = trainable(lora_on(tiny_moe(kind), lora_on="experts"))
    assert all(".mlp.experts." in n and ".lora_" in n for n in experts)  # Qwen's shared expert is left alone
    assert len(experts) == 2 * 2 * 2  # 2 layers × (gate_up_proj, down_proj) × (A, B)
    both = trainable(lora_on(tiny_moe(kind), lora_on="both"))
    assert set(both) == set(attention) | set(experts)


def test_expert_lora_holds_a_low_rank_update_per_expert():
    model = lora_on(tiny_moe("mixtral"), lora_on="experts")
    inside = "layers.0.mlp.experts."
    shapes = {
        n.split(inside)[1]: tuple(p.shape) for n, p in model.named_parameters() if inside in n and p.requires_grad
    }
    # PEFT's ParamWrapper, one per 3-D weight (nested): A is (r × experts) × in, B is out × (r × experts)
    assert shapes == {
        "base_layer.lora_A.default.weight": (4 * 4, 32),  # gate_up_proj: in = hidden 32
        "base_layer.lora_B.default.weight": (2 * 64, 4 * 4),  # out = 2 × intermediate 64
        "lora_A.default.weight": (4 * 4, 64),  # down_proj: in = intermediate 64
        "lora_B.default.weight": (32, 4 * 4),  # out = hidden 32
    }


@pytest.mark.parametrize("router", ["frozen", "trainable"])
def test_router_is_frozen_or_trained(router):
    model = lora_on(tiny_moe("mixtral"), lora_on="attention", router=router)
    gates = {n: p.requires_grad for n, p in model.named_parameters() if ".mlp.gate." in n}
    if router == "frozen":
        assert gates and not any(gates.values())
    else:  # PEFT's modules_to_save: a trained copy saved with the adapter, the original kept frozen
        assert {n for n, g in gates.items() if g} == {
            f"base_model.model.model.layers.{i}.mlp.gate.modules_to_save.default.weight" for i in (0, 1)
        }
        assert not any(g for n, g in gates.items() if "original_module" in n)


def test_a_dense_model_is_refused():
    from transformers import LlamaConfig, LlamaForCausalLM

    dense = LlamaForCausalLM(LlamaConfig(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2))  # fmt: skip
    with pytest.raises(InputError, match=r"method\.moe: model .* \(LlamaForCausalLM\) has no expert layers"):
        lora_on(dense, lora_on="attention")


def test_lora_anywhere_else_than_asked_fails_loudly():
    """PEFT rewrites some MoE targets itself (transformers-4 names on Mixtral/DeepSeek types): caught, not trained."""
    from tunesmith.config.moe import MoeConfig
    from tunesmith.train.moe import check_adapted

    model = lora_on(tiny_moe("deepseek_v3"), lora_on="attention")
    check_adapted(model, MoeConfig(lora_on="attention"))
    with pytest.raises(RuntimeError, match=r"PEFT adapted \[\] and not \['model.layers.0.mlp.experts'"):
        check_adapted(model, MoeConfig(lora_on="both"))


def test_aux_loss_weight_goes_to_the_model_config_or_is_refused():
    model = tiny_moe("mixtral")
    assert model.config.router_aux_loss_coef == 0.001
    lora_on(model, lora_on="attention", aux_loss_coef=0.05)
    assert model.config.router_aux_loss_coef == 0.05
    with pytest.raises(InputError, match="DeepseekV3ForCausalLM has no auxiliary load-balancing loss"):
        lora_on(tiny_moe("deepseek_v3"), lora_on="attention", aux_loss_coef=0.01)
    lora_on(tiny_moe("deepseek_v3"), lora_on="attention")  # unset: its own bias balancing, nothing to weight


@pytest.mark.parametrize(
    ("method", "problem"),
    [
        ({"moe": {"lora_on": "experts"}, "use_dora": True}, "DoRA cannot go on the experts"),
        ({"moe": {"lora_on": "both"}, "dropout": 0.1}, "takes no dropout"),
        ({"moe": {}, "init_lora_weights": "pissa"}, "needs 2-D weights"),
        ({"moe": {"lora_on": "attention"}, "target_modules": ["q_proj"]}, "remove target_modules"),
        ({"name": "qlora", "moe": {}}, "moe is for method lora"),
        ({"moe": {"lora_on": "router"}}, "expected 'attention', 'experts' or 'both'"),
        ({"moe": {"aux_loss_coef": -1}}, "greater than or equal to 0"),
    ],
)
def test_combinations_peft_cannot_do_are_refused_in_the_recipe(method, problem):
    with pytest.raises(InputError, match=problem):
        validate_recipe({"data": {"train": "d.jsonl"}, "method": {"name": "lora", **method}})


def test_dropout_is_zero_with_expert_lora_unless_set():
    def dropout(moe):
        return validate_recipe({"data": {"train": "d.jsonl"}, "method": {"name": "lora", "moe": moe}}).method.dropout

    assert dropout({}) == 0.0 and dropout({"lora_on": "experts"}) == 0.0
    assert dropout({"lora_on": "attention"}) == 0.05  # the LoRA default: attention LoRA takes dropout


def test_moe_keys_survive_the_run_recipe_round_trip():
    import yaml

    from tunesmith.config import dump_recipe

    moe = {"lora_on": "experts", "router": "trainable", "aux_loss_coef": 0.02}
    recipe = validate_recipe({"data": {"train": "d.jsonl"}, "method": {"name": "lora", "moe": moe}})
    again = validate_recipe(yaml.safe_load(dump_recipe(recipe)))
    assert again.method == recipe.method and again.method.moe.model_dump() == moe
