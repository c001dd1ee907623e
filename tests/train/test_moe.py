"""A tiny mixture-of-experts model trains through `train(recipe)`: the router's load-balancing loss is part of the
loss and logged, expert load is recorded per layer and plotted, and the adapter loads back for inference."""

import json

import pytest
import torch
from safetensors.torch import load_file

from tests.train.moe_models import save_tiny_moe
from tunesmith.progress import Progress
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train


@pytest.fixture(scope="session")
def tiny_moe_dir(tmp_path_factory, smol_tokenizer):
    """A random tiny Mixtral (hidden 32, 2 layers, 4 experts, top-2) with SmolLM2's tokenizer, saved as a folder."""
    return save_tiny_moe(tmp_path_factory.mktemp("tiny-moe"), smol_tokenizer)


class Recorded(Progress):
    def __init__(self):
        self.updates: list[dict] = []

    def update(self, task, completed, **info):
        self.updates.append(info)


def moe_recipe(make_recipe, model_dir, name="moe", steps=4, **moe):
    return make_recipe(
        model=str(model_dir),
        method={"name": "lora", "r": 4, "alpha": 8, "moe": moe},
        train={"max_steps": steps, "eval_steps": 2, "logging_steps": 1},
        output={"name": name},
    )


def test_tiny_moe_trains_with_aux_loss_logged_and_expert_load_plotted(make_recipe, tiny_moe_dir, tmp_path):
    recipe = moe_recipe(make_recipe, tiny_moe_dir, lora_on="both", router="trainable")
    # checkpointing reruns each layer in backward, evaluation runs at steps 2 and 4: neither may be counted twice
    recipe = recipe.model_copy(update={"train": recipe.train.model_copy(update={"activation_checkpointing": True})})
    progress = Recorded()
    result = train(recipe, progress=progress)
    run = RunDir(recipe.run_dir)
    assert result.steps == 4
    rows = [r for r in read_jsonl(run.metrics) if "loss" in r]
    assert [r["step"] for r in rows] == [1, 2, 3, 4]
    # Switch-style balancing loss: experts × Σ (token share × mean router prob) per layer, summed; ≈ top-k × layers
    # when balanced (2 × 2 here), and positive whatever the routing
    assert all(1.0 < r["aux_loss"] < 16.0 for r in rows)
    assert all(0.25 <= r["expert_load_max"] <= 0.5 for r in rows)  # 4 experts, top-2: 0.25 even, 0.5 collapsed
    assert any("aux_loss" in u and "expert_load_max" in u for u in progress.updates)

    report = json.loads((run.root / "expert_load.json").read_text())
    assert report["layers"] == ["model.layers.0.mlp", "model.layers.1.mlp"]
    assert report["num_experts"] == [4, 4] and report["top_k"] == 2
    for shares, counts, routed in zip(report["load"], report["counts"], report["routed"]):
        assert sum(shares) == pytest.approx(1.0) and len(shares) == 4
        assert routed == sum(counts) and routed > 0 and routed % 2 == 0  # every token goes to 2 experts
    assert [h["step"] for h in report["history"]] == [1, 2, 3, 4]
    tokens = [0] + [r["num_tokens"] for r in rows]  # non-padding tokens seen (TRL's count, from the attention mask)
    for entry, before, after in zip(report["history"], tokens, tokens[1:]):
        assert [sum(layer) for layer in entry["counts"]] == [2 * (after - before)] * 2  # each token once, to 2 experts
    logged_max = [max(max(layer) / sum(layer) for layer in h["counts"]) for h in report["history"]]
    assert logged_max == pytest.approx([r["expert_load_max"] for r in rows], abs=1e-4)
    assert (run.root / "expert_load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    assert any(".mlp.experts.lora_B" in k for k in adapter) and any(".self_attn.q_proj.lora_B" in k for k in adapter)
    assert {k for k in adapter if ".mlp.gate." in k} == {
        f"base_model.model.model.layers.{i}.mlp.gate.weight" for i in (0, 1)
    }
    assert_merge_is_exact(run, tmp_path / "merged")


def assert_merge_is_exact(run: RunDir, out):
    """`export merge` folds expert LoRA and the trained router into the weights: same logits as the adapter."""
    from tunesmith.export.merge import merge_run
    from tunesmith.models.loading import load_for_inference, load_model, source_for

    merge_run(run.root, out)
    adapted, _ = load_for_inference(source_for(run.root))
    merged = load_model(str(out)).eval()
    ids = torch.tensor([[1, 50, 900, 42, 7, 300]])
    with torch.no_grad():
        torch.testing.assert_close(merged(input_ids=ids).logits, adapted(input_ids=ids).logits, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["qwen2_moe", "deepseek_v3"])
def test_other_moe_architectures_train_with_expert_load(make_recipe, smol_tokenizer, tmp_path, kind):
    """Qwen-MoE (a shared expert, an aux loss) and DeepSeek-V3 (PEFT rewrites its targets; no aux loss: it balances
    with a routing bias)."""
    model_dir = save_tiny_moe(tmp_path / kind, smol_tokenizer, kind)
    recipe = moe_recipe(make_recipe, model_dir, name=kind, steps=2, lora_on="experts", router="trainable")
    train(recipe)
    run = RunDir(recipe.run_dir)
    rows = [r for r in read_jsonl(run.metrics) if "loss" in r]
    assert [("aux_loss" in r) for r in rows] == [kind == "qwen2_moe"] * 2
    assert all(0.25 <= r["expert_load_max"] <= 0.5 for r in rows)
    report = json.loads((run.root / "expert_load.json").read_text())
    assert all(sum(shares) == pytest.approx(1.0) for shares in report["load"])
    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    assert {k.split(".mlp.")[1].split(".")[0] for k in adapter} == {"experts", "gate"}  # no shared expert LoRA


def test_aux_loss_is_part_of_the_training_loss(make_recipe, tiny_moe_dir):
    """Same start, same batch: the logged loss of step 1 grows by exactly the weight × the aux loss."""
    runs = {}
    for coef in (0.0, 10.0):
        recipe = moe_recipe(make_recipe, tiny_moe_dir, name=f"coef{coef}", steps=1, lora_on="attention",
                            aux_loss_coef=coef)  # fmt: skip
        train(recipe)
        runs[coef] = [r for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "loss" in r][0]
    assert "aux_loss" not in runs[0.0] and "expert_load_max" in runs[0.0]  # weight 0: no aux loss, load still seen
    expected = runs[0.0]["loss"] + 10.0 * runs[10.0]["aux_loss"]
    assert runs[10.0]["loss"] == pytest.approx(expected, rel=1e-3)


def test_frozen_router_stays_and_the_adapter_loads_back(make_recipe, tiny_moe_dir):
    from tunesmith.models.loading import load_for_inference, load_model, source_for

    recipe = moe_recipe(make_recipe, tiny_moe_dir, lora_on="experts", router="frozen")
    train(recipe)
    run = RunDir(recipe.run_dir)
    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    assert adapter and all(".mlp.experts." in k and "lora_" in k for k in adapter)  # no router, no attention
    model, _ = load_for_inference(source_for(run.root))
    base = load_model(str(tiny_moe_dir)).eval()
    ids = torch.tensor([[1, 5, 9, 42, 7]])
    with torch.no_grad():
        assert not torch.allclose(model(input_ids=ids).logits, base(input_ids=ids).logits)
    loaded = {n for n, _ in model.named_parameters() if ".mlp.experts." in n and "lora_B" in n}
    assert len(loaded) == 2 * 2  # 2 layers × (gate_up_proj, down_proj)


def test_a_dense_model_is_refused_before_the_run_directory(make_recipe, tiny_model_dir):
    from tunesmith.errors import InputError

    recipe = moe_recipe(make_recipe, tiny_model_dir, lora_on="attention")
    with pytest.raises(InputError, match="has no expert layers"):
        train(recipe)
    assert not RunDir(recipe.run_dir).root.exists()


def test_expert_load_resumes_from_the_counts_logged_up_to_the_checkpoint(tmp_path):
    from types import SimpleNamespace

    from tests.train.moe_models import tiny_moe
    from tunesmith.train.moe_load import ExpertLoad

    history = [{"step": s, "counts": [[s, 0, 0, s], [0, s, s, 0]]} for s in (1, 2, 3, 4)]
    saved = {"layers": ["model.layers.0.mlp", "model.layers.1.mlp"], "history": history}
    (tmp_path / "expert_load.json").write_text(json.dumps(saved))
    model = tiny_moe("mixtral").train()
    load = ExpertLoad(model, tmp_path)
    load.on_train_begin(None, SimpleNamespace(global_step=2), None)
    assert [h["step"] for h in load.history] == [1, 2] and load.total["model.layers.0.mlp"] == [3, 0, 0, 3]
    model(input_ids=torch.randint(0, 128, (1, 6)))  # 6 tokens, 2 experts each, counted on top
    load.on_log(None, SimpleNamespace(global_step=3), None, logs={"loss": 1.0})
    assert [sum(c) for c in load.history[-1]["counts"]] == [12, 12]
    assert sum(load.total["model.layers.1.mlp"]) == 6 + 12
    load.on_train_end(None, SimpleNamespace(is_world_process_zero=True), None)
    assert json.loads((tmp_path / "expert_load.json").read_text())["routed"] == [18, 18]
    model(input_ids=torch.randint(0, 128, (1, 6)))  # hooks removed: nothing more is counted
    assert sum(load.total["model.layers.1.mlp"]) == 18
