"""Method xlora: a learned gate over two frozen LoRA adapters trains alone, reloads exactly, and refuses bad sources."""

from __future__ import annotations

import json

import pytest
import torch
from peft import IA3Config, LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

from tests.conftest import save_tiny_llama
from tunesmith.config import dump_recipe
from tunesmith.errors import InputError
from tunesmith.models.adapter_gate import EXPERTS_DIR, SETTINGS_FILE
from tunesmith.models.loading import load_for_inference, source_for
from tunesmith.runs import RunDir
from tunesmith.train.methods import apply_method, count_parameters
from tunesmith.train.methods.xlora import Config
from tunesmith.train.run import train

IDS = torch.tensor([[1, 17, 230, 4051, 99, 12, 7, 300], [5, 6, 7, 8, 9, 10, 11, 12]])


def load_tiny(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def make_run(make_recipe, model_dir, name: str, seed: int, peft_config=None):
    """A finished run directory holding a random (non-zero) adapter on `model_dir`, as training would leave it."""
    recipe = make_recipe(model=str(model_dir), output={"name": name})
    run = RunDir(recipe.run_dir)
    torch.manual_seed(seed)
    config = peft_config or LoraConfig(
        r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False, task_type="CAUSAL_LM"
    )
    get_peft_model(load_tiny(model_dir), config).save_pretrained(run.final)
    AutoTokenizer.from_pretrained(model_dir).save_pretrained(run.final)
    run.recipe.write_text(dump_recipe(recipe), encoding="utf-8")
    return run.root


@pytest.fixture
def sources(make_recipe, tiny_model_dir):
    return [make_run(make_recipe, tiny_model_dir, name, seed) for name, seed in (("alpha", 1), ("beta", 2))]


def logits(model, ids=IDS):
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_one_hot_gate_is_that_adapter_alone(tiny_model_dir, sources):
    """The gate's hooks scale PEFT's own LoRA outputs: weight 1 on one adapter gives exactly that adapter."""
    model = apply_method(load_tiny(tiny_model_dir), Config(adapters=[str(s) for s in sources])).eval()
    for index, run in enumerate(sources):
        with torch.no_grad():
            model.model.adapter_gate.linear.bias.copy_(torch.tensor([40.0, -40.0])[[index, 1 - index]])
        alone = PeftModel.from_pretrained(load_tiny(tiny_model_dir), RunDir(run).final).eval()
        torch.testing.assert_close(logits(model), logits(alone), rtol=0, atol=1e-5)
    assert not torch.allclose(logits(model), logits(load_tiny(tiny_model_dir)), atol=1e-3)  # adapters are not zero


def test_only_the_gate_trains_and_the_loss_goes_down(tiny_model_dir, sources):
    model = apply_method(load_tiny(tiny_model_dir), Config(adapters=[str(s) for s in sources], layerwise=True))
    gate_params = {n for n, p in model.named_parameters() if p.requires_grad}
    assert gate_params == {"model.adapter_gate.linear.weight", "model.adapter_gate.linear.bias"}
    lora_modules = 2 * 7  # 2 layers × (q, k, v, o, gate, up, down)
    assert count_parameters(model)[0] == (32 + 1) * lora_modules * 2  # layerwise: one weight per module per adapter
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.2, weight_decay=0.0)
    model.train()
    losses = []
    for _ in range(12):
        loss = model(input_ids=IDS, labels=IDS).loss
        loss.backward()
        optim.step()
        optim.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.05, losses
    assert all(torch.equal(p, frozen[n]) for n, p in model.named_parameters() if n in frozen)


def test_trained_run_reloads_and_generates_as_in_memory(make_recipe, tiny_model_dir, sources, tmp_path):
    recipe = make_recipe(
        method={"name": "xlora", "adapters": [str(s) for s in sources]},
        train={"max_steps": 4, "learning_rate": 0.1},
        output={"name": "gated"},
    )
    result = train(recipe)
    run = RunDir(result.run_dir)
    assert run.is_adapter() and (run.final / SETTINGS_FILE).is_file()
    assert sorted(p.name for p in (run.final / EXPERTS_DIR).iterdir()) == ["0", "1"]  # the run stands alone
    settings = json.loads((run.final / SETTINGS_FILE).read_text())
    assert [s["label"] for s in settings["sources"]] == ["alpha", "beta"]
    assert result.trainable_params == (32 + 1) * 2 and result.steps == 4  # one linear layer: hidden -> 2 adapters

    found = source_for(run.root)
    loaded, tokenizer = load_for_inference(found)
    assert not torch.equal(loaded.adapter_gate.linear.weight, torch.zeros_like(loaded.adapter_gate.linear.weight))

    in_memory = apply_method(load_tiny(tiny_model_dir), recipe.method)
    in_memory.load_state_dict(loaded.adapter_gate.state_dict())  # as trained; its adapters come from the sources
    in_memory.eval()
    torch.testing.assert_close(logits(loaded), logits(in_memory), rtol=0, atol=1e-6)

    prompt = tokenizer(["Capital of France?", "What color is the sky today?"], return_tensors="pt", padding=True)
    cached = loaded.generate(**prompt, max_new_tokens=6, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    again = in_memory.generate(**prompt, max_new_tokens=6, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert torch.equal(cached, again)
    uncached = in_memory.generate(
        **prompt, max_new_tokens=6, do_sample=False, pad_token_id=tokenizer.pad_token_id, use_cache=False
    )
    assert torch.equal(cached, uncached)  # the running sums carried through the KV cache give the same gate


def test_missing_run_is_refused_by_name(tiny_model_dir, sources, tmp_path):
    missing = tmp_path / "runs" / "nowhere"
    with pytest.raises(InputError) as caught:
        apply_method(load_tiny(tiny_model_dir), Config(adapters=[str(sources[0]), str(missing)]))
    assert caught.value.where == str(missing) and "not a run directory" in caught.value.message


def test_a_source_that_is_not_lora_is_refused_by_name(make_recipe, tiny_model_dir, sources):
    ia3 = make_run(
        make_recipe,
        tiny_model_dir,
        "ia3",
        3,
        IA3Config(
            target_modules=["k_proj", "v_proj", "down_proj"], feedforward_modules=["down_proj"], task_type="CAUSAL_LM"
        ),
    )
    with pytest.raises(InputError) as caught:
        apply_method(load_tiny(tiny_model_dir), Config(adapters=[str(sources[0]), str(ia3)]))
    assert caught.value.where == str(ia3) and "IA3" in caught.value.message


def test_a_source_on_another_base_is_refused_by_name(make_recipe, tiny_model_dir, smol_tokenizer, sources, tmp_path):
    other_base = save_tiny_llama(tmp_path / "other-base", smol_tokenizer, initializer_range=0.05)
    other = make_run(make_recipe, other_base, "other", 4)
    with pytest.raises(InputError) as caught:
        apply_method(load_tiny(tiny_model_dir), Config(adapters=[str(sources[0]), str(other)]))
    assert caught.value.where == str(other) and "base" in caught.value.message
    with pytest.raises(InputError) as caught:  # every source on one base, but not the recipe's model
        apply_method(load_tiny(other_base), Config(adapters=[str(s) for s in sources]))
    assert caught.value.where == str(sources[0]) and "this recipe's model" in caught.value.message


def test_recipe_needs_two_adapters_and_a_positive_temperature(make_recipe):
    with pytest.raises(InputError, match="adapters"):
        make_recipe(method={"name": "xlora", "adapters": ["runs/one"]})
    with pytest.raises(InputError, match="temperature"):
        make_recipe(method={"name": "xlora", "adapters": ["runs/a", "runs/b"], "temperature": 0})


@pytest.fixture
def gated_run(make_recipe, sources):
    recipe = make_recipe(
        method={"name": "xlora", "adapters": [str(s) for s in sources]},
        train={"max_steps": 2, "learning_rate": 0.1},
        output={"name": "gated"},
    )
    return RunDir(train(recipe).run_dir), recipe


def test_eval_scores_the_gate_run(gated_run, chat_file):
    from tunesmith.eval.run import evaluate

    run, recipe = gated_run
    scores = evaluate(source_for(run.root), chat_file, recipe.eval).metrics
    assert 0 <= scores["exact_match"] <= 1 and scores["val_loss"] > 0


def test_serve_runs_the_gate_in_a_group_of_its_own(gated_run, tiny_model_dir):
    from tunesmith.serve.backends.peft_groups import GATE, AdapterGroups, adapter_kind

    run, _ = gated_run
    kind = adapter_kind(run.final)
    assert kind.family == GATE and kind.alone and not kind.mixable
    groups = AdapterGroups(load_tiny(tiny_model_dir))
    groups.attach("gated", run.final, kind)
    batch = {"input_ids": IDS, "attention_mask": torch.ones_like(IDS)}
    model, inputs = groups.model_for(["gated"], batch)
    direct, _ = load_for_inference(source_for(run.root))
    with torch.no_grad():
        torch.testing.assert_close(model(**inputs).logits, direct(**batch).logits, rtol=0, atol=1e-6)
        torch.testing.assert_close(groups.base(**batch).logits, load_tiny(tiny_model_dir)(**batch).logits)


def test_export_and_combining_refuse_the_gate_run_with_the_reason(gated_run, sources):
    from tunesmith.export.combine_sources import check_sources
    from tunesmith.export.merge import check_mergeable

    run, _ = gated_run
    with pytest.raises(InputError, match="learned gate that mixes its adapters token by token"):
        check_mergeable(run.root, run.final)
    with pytest.raises(InputError) as caught:
        check_sources([sources[0], run.root])
    assert caught.value.where == str(run.root) and "learned gate" in caught.value.message


def test_adapter_paths_in_a_recipe_file_are_read_from_its_folder(tmp_path):
    from tunesmith.config import load_recipe

    folder = tmp_path / "recipes"
    folder.mkdir()
    (folder / "gate.yaml").write_text(
        "data: {train: data.jsonl}\nmethod: {name: xlora, adapters: [../runs/a, ../runs/b]}\n", encoding="utf-8"
    )
    recipe = load_recipe(folder / "gate.yaml")
    assert recipe.method.adapters == [str(tmp_path / "runs" / "a"), str(tmp_path / "runs" / "b")]
