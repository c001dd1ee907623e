"""Bottleneck adapters: start as the base model, train only themselves, and save/load/resume as their own folder."""

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from tunesmith.config import validate_recipe
from tunesmith.errors import InputError
from tunesmith.export.merge import merge_run
from tunesmith.models.loading import ModelSource, load_for_inference, source_for
from tunesmith.runs import RunDir
from tunesmith.train.methods import apply_method, count_parameters
from tunesmith.train.methods.adapter import Config
from tunesmith.train.run import train

HIDDEN, LAYERS = 32, 2
IDS = torch.tensor([[1, 17, 230, 4051, 99, 12, 7], [5, 6, 7, 8, 9, 10, 11]])


def bottleneck_params(width: int) -> int:
    return (HIDDEN * width + width) + (width * HIDDEN + HIDDEN)  # down and up, with biases


def load_tiny(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def logits(model):
    with torch.no_grad():
        return model(input_ids=IDS).logits


def test_counts_one_bottleneck_per_attention_and_mlp_and_starts_as_the_base(tiny_model_dir):
    base_logits = logits(load_tiny(tiny_model_dir))
    model = apply_method(load_tiny(tiny_model_dir), Config(reduction_factor=4))
    trainable, _ = count_parameters(model)
    assert trainable == LAYERS * 2 * bottleneck_params(HIDDEN // 4)
    assert {n.split(".")[-3] for n, p in model.named_parameters() if p.requires_grad} == {"adapter_attn", "adapter_mlp"}
    torch.testing.assert_close(logits(model.eval()), base_logits, rtol=0, atol=0)  # zero-initialised up-projection


def test_mlp_only_adapters():
    cfg = Config(mh_adapter=False)
    assert cfg.output_adapter and not cfg.mh_adapter
    with pytest.raises(InputError, match="mh_adapter and/or output_adapter"):
        validate_recipe(
            {"data": {"train": "x.jsonl"}, "method": {"name": "adapter", "mh_adapter": False, "output_adapter": False}}
        )


def test_steps_move_only_the_adapters_and_the_folder_reloads_exactly(tiny_model_dir, tmp_path):
    model = apply_method(load_tiny(tiny_model_dir), Config(reduction_factor=8, mh_adapter=False))
    assert count_parameters(model)[0] == LAYERS * bottleneck_params(HIDDEN // 8)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2, weight_decay=0.0)
    model.train()
    for _ in range(3):
        model(input_ids=IDS, labels=IDS).loss.backward()
        optim.step()
        optim.zero_grad()
    model.eval()
    for name, param in model.named_parameters():
        assert torch.equal(param, before[name]) != param.requires_grad, name

    model.save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(tmp_path)
    settings = json.loads((tmp_path / "bottleneck_adapter.json").read_text())
    assert settings["reduction_factor"] == 8 and settings["mh_adapter"] is False
    saved = load_file(str(tmp_path / "model.safetensors"))
    assert sorted(saved) == sorted(n[len("model.") :] for n in before if "adapter_" in n)  # named as in the base
    loaded, _ = load_for_inference(ModelSource(base=str(tiny_model_dir), adapter=tmp_path))
    torch.testing.assert_close(logits(loaded), logits(model), rtol=0, atol=1e-6)


def test_activation_checkpointing_still_trains_every_adapter(tiny_model_dir):
    model = apply_method(load_tiny(tiny_model_dir), Config(reduction_factor=4))
    model.activation_checkpointing_enable()
    model.train()
    model(input_ids=IDS, labels=IDS).loss.backward()
    ups = [p for n, p in model.named_parameters() if n.endswith("up.weight")]
    assert len(ups) == 4 and all(p.grad is not None and p.grad.abs().sum() > 0 for p in ups)


def test_an_adapter_for_another_shape_is_refused(tiny_model_dir, tmp_path):
    model = apply_method(load_tiny(tiny_model_dir), Config(reduction_factor=8))
    model.save_pretrained(tmp_path)
    settings = json.loads((tmp_path / "bottleneck_adapter.json").read_text())
    (tmp_path / "bottleneck_adapter.json").write_text(json.dumps({**settings, "output_adapter": False}))
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(tmp_path)
    with pytest.raises(InputError, match="do not fit this base model"):
        load_for_inference(ModelSource(base=str(tiny_model_dir), adapter=tmp_path))


def test_adapter_run_keeps_best_resumes_chats_and_refuses_to_merge(make_recipe, tmp_path):
    straight = make_recipe(
        method={"name": "adapter", "reduction_factor": 4}, train={"max_steps": 6, "scheduler": "constant"}
    )
    train(straight)
    final = RunDir(straight.run_dir).final
    assert sorted(p.name for p in final.iterdir() if "token" not in p.name and p.suffix != ".jinja") == [
        "bottleneck_adapter.json",
        "model.safetensors",
        "training_args.bin",
    ]
    model, tokenizer = load_for_inference(source_for(straight.run_dir))
    inputs = tokenizer(["Capital of France?"], return_tensors="pt")
    assert model.generate(**inputs, max_new_tokens=3, do_sample=False).shape[1] == inputs.input_ids.shape[1] + 3
    with pytest.raises(InputError, match="method 'adapter' adds bottleneck layers.*cannot be merged"):
        merge_run(straight.run_dir, tmp_path / "merged")

    # the same run stopped at step 4 and resumed to 6 ends with the same adapter: checkpoints reload
    first = make_recipe(
        method={"name": "adapter", "reduction_factor": 4},
        train={"max_steps": 4, "scheduler": "constant"},
        output={"name": "resumed"},
    )
    train(first)
    resumed = train(first.model_copy(update={"train": straight.train}), resume=True)
    assert resumed.resumed_from.endswith("checkpoint-4") and resumed.steps == 6
    a = load_file(str(final / "model.safetensors"))
    b = load_file(str(RunDir(first.run_dir).final / "model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=1e-4, atol=1e-5)
