"""Stage chains: `stages: [sft, dpo]` in one recipe, each stage starting from the one before, one report."""

import json

import pytest
import torch
import yaml
from safetensors.torch import load_file

from tests.conftest import write_jsonl
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.chain import evaluate_chain, load_chain, train_chain

PAIRS = [{"prompt": f"Question {i}: is this fine?", "chosen": "Yes, it is.", "rejected": "No."} for i in range(8)]
FAST = {"max_steps": 2, "batch_size": 4, "eval_steps": 2, "logging_steps": 1, "precision": "fp32"}


def chain_file(tmp_path, tiny_model_dir, chat_file, **top):
    pairs = write_jsonl(tmp_path / "pairs.jsonl", PAIRS)
    raw = {
        "model": str(tiny_model_dir),
        "method": {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
        "train": FAST,
        "eval": {"file": str(chat_file), "metrics": ["exact_match"], "max_new_tokens": 4, "limit": 2},
        "output": {"dir": str(tmp_path / "runs"), "name": "align"},
        "stages": [
            {"stage": "sft", "data": {"train": str(chat_file)}, "train": {"learning_rate": 1e-2}},
            {"stage": {"name": "dpo", "beta": 0.1}, "data": {"train": str(pairs), "validation": str(pairs)}},
        ],
        **top,
    }
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_sft_then_dpo_trains_one_adapter_through_both_stages(tmp_path, tiny_model_dir, chat_file):
    recipes = load_chain(chain_file(tmp_path, tiny_model_dir, chat_file))
    assert [r.stage.name for r in recipes] == ["sft", "dpo"]
    assert recipes[1].train.learning_rate == "auto" and recipes[0].train.learning_rate == 1e-2  # stage overlays
    root, results = train_chain(recipes)
    sft, dpo = (RunDir(r.run_dir) for r in recipes)
    assert root == tmp_path / "runs" / "align" and sft.root == root / "stages" / "1-sft"
    after_sft = load_file(str(sft.final / "adapter_model.safetensors"))
    after_dpo = load_file(str(dpo.final / "adapter_model.safetensors"))
    assert after_sft.keys() == after_dpo.keys()  # the same adapter, trained on
    assert any(not torch.equal(after_sft[k], after_dpo[k]) for k in after_sft)
    assert "eval_rewards/accuracies" in results[1]["held_out"]
    chain = RunDir(root)
    assert load_file(str(chain.final / "adapter_model.safetensors")).keys() == after_dpo.keys()
    assert yaml.safe_load(chain.recipe.read_text())["stage"]["name"] == "dpo"
    assert [s["run_dir"] for s in json.loads(chain.summary.read_text())["stages"]] == [str(sft.root), str(dpo.root)]

    evaluated, report = evaluate_chain(recipes)
    assert [r.label for r in evaluated] == [f"base ({tiny_model_dir})", "1-sft", "2-dpo"]
    assert len(report["models"]) == 3 and (chain.eval_dir / "report.md").is_file()


def test_a_resumed_chain_keeps_finished_stages(tmp_path, tiny_model_dir, chat_file):
    recipes = load_chain(chain_file(tmp_path, tiny_model_dir, chat_file))
    train_chain(recipes)
    sft_final = RunDir(recipes[0].run_dir).final / "adapter_model.safetensors"
    before = sft_final.stat().st_mtime_ns
    _, results = train_chain(recipes, resume=True)
    assert sft_final.stat().st_mtime_ns == before and len(results) == 2


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([], "expected a list of stages"),
        ([{"data": {"train": "x"}}], "stages\\[0\\]: expected a mapping with a 'stage' key"),
        ([{"stage": "sft", "eval": {}}], "unknown key\\(s\\) \\['eval'\\]"),
        ([{"stage": "sfd", "data": {"train": "x"}}], "unknown stage 'sfd'; did you mean 'sft'"),
    ],
)
def test_bad_chains_name_the_stage(tmp_path, tiny_model_dir, chat_file, stages, message):
    with pytest.raises(InputError, match=message):
        load_chain(chain_file(tmp_path, tiny_model_dir, chat_file, stages=stages))
