"""Every PEFT-backed method trains exactly the parameters its definition says, and loads back (and merges) exactly."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.models.loading import ModelSource, load_for_inference
from tunesmith.train.methods import (
    TrainingPlan,
    adalora,
    apply_method,
    boft,
    count_parameters,
    find_method,
    ia3,
    ln_tuning,
    loha,
    lokr,
    lora,
    oft,
    p_tuning,
    p_tuning_v2,
    prefix_tuning,
    prompt_tuning,
    vera,
)

HIDDEN, LAYERS, KV_DIM = 32, 2, 16  # the conftest tiny Llama: 4 heads of 8, 2 KV heads
SHAPES = {"q_proj": (32, 32), "k_proj": (32, 16), "v_proj": (32, 16), "o_proj": (32, 32)}
SHAPES |= {"gate_proj": (32, 64), "up_proj": (32, 64), "down_proj": (64, 32)}  # (in, out)
QV = ("q_proj", "v_proj")  # PEFT's default targets for Llama


def per_layer(count, names=QV) -> int:
    """`count(in, out)` summed over the named linears of every decoder layer."""
    return LAYERS * sum(count(*SHAPES[n]) for n in names)


def factor(dim: int) -> tuple[int, int]:
    """LoKr's split of a dimension into m <= n with m * n = dim, m as close to sqrt(dim) as possible."""
    m = max(d for d in range(1, int(dim**0.5) + 1) if dim % d == 0)
    return m, dim // m


def lokr_count(r: int, i: int, o: int) -> int:
    """A full (out_l x in_m) Kronecker factor, and a rank-r (out_k x in_n) one unless r is too big to save anything."""
    (in_m, in_n), (out_l, out_k) = factor(i), factor(o)
    second = r * (out_k + in_n) if r < max(out_k, in_n) / 2 else out_k * in_n
    return out_l * in_m + second


def mlp(i: int, o: int) -> int:
    return i * o + o


PLAN = TrainingPlan(total_steps=10, learning_rate=1e-3)
CASES = {
    "lora-pissa": (lora.Config(r=4, init_lora_weights="pissa"), per_layer(lambda i, o: 4 * (i + o), SHAPES)),
    "lora-olora": (lora.Config(r=4, init_lora_weights="olora"), per_layer(lambda i, o: 4 * (i + o), SHAPES)),
    "adalora": (adalora.Config(init_r=4, target_r=2), per_layer(lambda i, o: 4 * (i + o + 1), SHAPES)),
    "vera": (vera.Config(r=8), per_layer(lambda i, o: 8 + o)),
    "loha": (loha.Config(r=2), per_layer(lambda i, o: 2 * 2 * (i + o))),
    "lokr": (lokr.Config(r=2), per_layer(lambda i, o: lokr_count(2, i, o))),
    "oft": (oft.Config(), per_layer(lambda i, o: (i // 32) * 32 * 31 // 2)),  # skew-symmetric 32x32 blocks
    "boft": (boft.Config(), per_layer(lambda i, o: (i // 4) * 4 * 4 + o)),  # one butterfly factor + output scale
    "ia3": (ia3.Config(), LAYERS * (16 + 16 + 64)),  # k, v outputs and down_proj's input
    "ln_tuning": (ln_tuning.Config(), LAYERS * 2 * HIDDEN + HIDDEN),  # two norms per layer and the final one
    "prompt_tuning": (prompt_tuning.Config(num_virtual_tokens=5), 5 * HIDDEN),
    "p_tuning": (
        p_tuning.Config(num_virtual_tokens=5),
        5 * HIDDEN + mlp(HIDDEN, HIDDEN) * 3,  # embeddings + the MLP encoder (in → h → h → out, all 32 wide)
    ),
    "prefix_tuning": (
        prefix_tuning.Config(num_virtual_tokens=5),
        5 * KV_DIM + mlp(KV_DIM, HIDDEN) + mlp(HIDDEN, LAYERS * 2 * KV_DIM),  # embeddings + projection MLP
    ),
    "p_tuning_v2": (p_tuning_v2.Config(num_virtual_tokens=5), 5 * LAYERS * 2 * KV_DIM),  # a K and V prefix per layer
}
MERGEABLE = {"lora-pissa", "lora-olora", "adalora", "vera", "loha", "lokr", "oft", "boft", "ia3", "ln_tuning"}


def load_tiny(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)


def batch():
    generator = torch.Generator().manual_seed(0)
    return torch.randint(0, 1000, (2, 12), generator=generator)


def take_steps(model, steps: int = 3) -> dict[str, torch.Tensor]:
    """A few plain AdamW steps (no weight decay, so only a gradient can move a weight); returns the before-state."""
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2, weight_decay=0.0)
    model.train()
    ids = batch()
    for _ in range(steps):
        model(input_ids=ids, labels=ids).loss.backward()
        optim.step()
        optim.zero_grad()
    model.eval()
    return before


def logits(model):
    with torch.no_grad():
        return model(input_ids=batch()).logits


@pytest.mark.parametrize("case", list(CASES))
def test_trainable_count_steps_and_reload(case, tiny_model_dir, tmp_path):
    cfg, expected = CASES[case]
    model = apply_method(load_tiny(tiny_model_dir), cfg, PLAN)
    assert count_parameters(model)[0] == expected

    before = take_steps(model)
    for name, param in model.named_parameters():
        moved = not torch.equal(param, before[name])
        assert moved == param.requires_grad, f"{name}: requires_grad={param.requires_grad} but moved={moved}"

    model.save_pretrained(tmp_path / "final")
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(tmp_path / "final")
    loaded, _ = load_for_inference(ModelSource(base=str(tiny_model_dir), adapter=tmp_path / "final"))
    trained = logits(model)
    torch.testing.assert_close(logits(loaded), trained, rtol=0, atol=1e-5)
    if case in MERGEABLE:
        torch.testing.assert_close(logits(loaded.merge_and_unload()), trained, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", ["prompt_tuning", "p_tuning", "prefix_tuning", "p_tuning_v2"])
def test_soft_prompts_generate_after_loading(case, tiny_model_dir, tmp_path):
    model = apply_method(load_tiny(tiny_model_dir), CASES[case][0], PLAN)
    model.save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(tmp_path)
    loaded, tokenizer = load_for_inference(ModelSource(base=str(tiny_model_dir), adapter=tmp_path))
    inputs = tokenizer(["Hello there", "Hi"], return_tensors="pt", padding=True)
    out = loaded.generate(**inputs, max_new_tokens=4, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert out.shape == (2, inputs.input_ids.shape[1] + 4)


def test_loraplus_gives_b_matrices_ratio_times_the_learning_rate(tiny_model_dir):
    cfg = lora.Config(r=4, loraplus_lr_ratio=16)
    plan = TrainingPlan(total_steps=10, learning_rate=1e-3, weight_decay=0.01)
    model = apply_method(load_tiny(tiny_model_dir), cfg, plan)
    optim = find_method(cfg.name).optimizer(model, cfg, plan)
    names = {id(p): n for n, p in model.named_parameters()}
    lr_of = {names[id(p)]: g["lr"] for g in optim.param_groups for p in g["params"]}
    assert set(lr_of) == {n for n, p in model.named_parameters() if p.requires_grad}
    assert sorted({lr for n, lr in lr_of.items() if "lora_A" in n}) == pytest.approx([1e-3])
    assert sorted({lr for n, lr in lr_of.items() if "lora_B" in n}) == pytest.approx([16e-3])
    assert all(g["weight_decay"] == 0.01 for g in optim.param_groups if g["params"])


def test_plain_lora_leaves_the_optimizer_to_the_trainer(tiny_model_dir):
    cfg = lora.Config(r=4)
    assert find_method("lora").optimizer(apply_method(load_tiny(tiny_model_dir), cfg, PLAN), cfg, PLAN) is None


def test_lora_init_choices_are_checked():
    assert lora.Config(init_lora_weights="olora").init_lora_weights == "olora"
    recipe = {"data": {"train": "x.jsonl"}, "method": {"name": "lora", "init_lora_weights": "pisa"}}
    with pytest.raises(InputError, match="init_lora_weights.*expected true, false, gaussian, orthogonal, pissa, olora"):
        validate_recipe(recipe)
    recipe["method"]["init_lora_weights"] = "pissa_niter_4"
    with pytest.raises(InputError, match="cannot be reloaded exactly.*use pissa"):
        validate_recipe(recipe)


def test_adalora_rejects_a_schedule_with_no_allocation_phase(tiny_model_dir):
    with pytest.raises(InputError, match="no rank-allocation phase in a 10-step run"):
        apply_method(load_tiny(tiny_model_dir), adalora.Config(tinit=6, tfinal=4), PLAN)


def test_every_peft_method_says_its_checkpoints_reload():
    """Reparameterised prompts and AdaLoRA keep their training state in each checkpoint (_resumable.py)."""

    def reloads(cfg):
        return find_method(cfg.name).checkpoints_reload(cfg)

    configs = [p_tuning.Config(), prefix_tuning.Config(), p_tuning_v2.Config(), adalora.Config(), lora.Config()]
    assert all(reloads(cfg) for cfg in configs)
