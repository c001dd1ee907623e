"""Offline preference stages (dpo and its losses, orpo, simpo, kto, reward) train the tiny model end to end."""

from __future__ import annotations

import json
import math

import pytest
import torch
from safetensors.torch import load_file

from tests.conftest import write_jsonl
from tunesmith.models.loading import load_model, load_tokenizer
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.metrics import held_out_metrics
from tunesmith.train.run import train

PAIRS = [{"prompt": f"Question {i}: is this fine?", "chosen": "Yes, it is.", "rejected": "No."} for i in range(8)]
FAST = {
    "max_steps": 2,
    "batch_size": 4,
    "eval_steps": 2,
    "logging_steps": 1,
    "precision": "fp32",
    "learning_rate": 1e-2,
}


@pytest.fixture
def pairs_file(tmp_path):
    return write_jsonl(tmp_path / "pairs.jsonl", PAIRS)


def preference_recipe(make_recipe, data_file, stage, **train):
    return make_recipe(
        data={"train": str(data_file), "validation": str(data_file)}, stage=stage, train={**FAST, **train}
    )


def assert_trained_adapter(run: RunDir) -> None:
    """Only the trained adapter is saved (not TRL's frozen reference copy), and it moved away from its zero start."""
    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    assert any(v.abs().sum() > 0 for k, v in adapter.items() if "lora_B" in k)
    assert not (run.final / "ref").exists()


@pytest.mark.parametrize(
    "stage, metrics",
    [
        ({"name": "dpo"}, ["eval_rewards/accuracies", "eval_rewards/margins"]),
        ({"name": "dpo", "loss_type": "ipo"}, ["eval_rewards/accuracies", "eval_rewards/margins"]),
        ({"name": "dpo", "loss_type": "hinge"}, ["eval_rewards/accuracies", "eval_rewards/margins"]),
        ({"name": "orpo"}, ["eval_rewards/accuracies", "eval_rewards/margins", "eval_log_odds_ratio"]),
        ({"name": "simpo"}, ["eval_rewards/accuracies", "eval_rewards/margins"]),
        ({"name": "kto"}, ["eval_rewards/chosen", "eval_rewards/rejected", "eval_kl"]),
    ],
    ids=["dpo", "dpo-ipo", "dpo-hinge", "orpo", "simpo", "kto"],
)
def test_stage_trains_with_lora_and_logs_preference_metrics(make_recipe, pairs_file, stage, metrics):
    recipe = preference_recipe(make_recipe, pairs_file, stage)
    result = train(recipe)
    if stage["name"] == "kto":
        assert result.train_examples == 2 * len(PAIRS)  # each pair split: its chosen reply desirable, rejected not
    run = RunDir(recipe.run_dir)
    rows = read_jsonl(run.metrics)
    losses = [r["loss"] for r in rows if "loss" in r]
    assert result.steps == 2 and len(losses) == 2 and all(math.isfinite(x) for x in losses)
    evals = [r for r in rows if "eval_loss" in r]
    assert evals and all(key in evals[-1] and math.isfinite(evals[-1][key]) for key in metrics)
    assert_trained_adapter(run)


def test_kto_reads_unpaired_thumbs_up_and_down(make_recipe, tmp_path):
    rows = [
        {"prompt": f"Q{i}", "completion": "Good answer." if i % 2 else "Bad.", "label": bool(i % 2)} for i in range(8)
    ]
    data = write_jsonl(tmp_path / "kto.jsonl", rows)
    recipe = preference_recipe(make_recipe, data, {"name": "kto", "desirable_weight": 1.0, "undesirable_weight": 1.0})
    train(recipe)
    evals = [r for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "eval_loss" in r]
    assert {"eval_rewards/chosen", "eval_rewards/rejected"} <= set(evals[-1])
    assert_trained_adapter(RunDir(recipe.run_dir))


def sequence_logps(model, tokenizer, rows: list[dict], key: str) -> torch.Tensor:
    """log p(reply | prompt) of each row's `key` reply under the chat template, summed over the reply's tokens."""
    out = []
    for row in rows:
        prompt = [{"role": "user", "content": row["prompt"]}]
        start = len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)["input_ids"])
        full = prompt + [{"role": "assistant", "content": row[key]}]
        ids = torch.tensor([tokenizer.apply_chat_template(full, tokenize=True)["input_ids"]])
        with torch.no_grad():
            logps = model(ids).logits[0, :-1].log_softmax(-1).gather(1, ids[0, 1:, None])[:, 0]
        out.append(logps[start - 1 :].sum())
    return torch.stack(out)


def test_dpo_reward_accuracy_on_the_training_pairs_goes_up(make_recipe, pairs_file, tiny_model_dir):
    recipe = preference_recipe(make_recipe, pairs_file, {"name": "dpo", "beta": 0.1}, max_steps=4, batch_size=8)
    train(recipe)
    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    evals = [r["eval_rewards/accuracies"] for r in rows if "eval_loss" in r]
    assert evals[-1] == 1.0 and evals[-1] >= evals[0]
    held_out = held_out_metrics(rows)
    assert held_out["eval_rewards/accuracies"] == 1.0 and held_out["eval_rewards/margins"] > 0

    # Measured independently of TRL: the implicit reward log π(y|x) - log π_ref(y|x), with the base model as π_ref.
    from tunesmith.models.loading import load_for_inference, source_for

    tokenizer = load_tokenizer(str(tiny_model_dir))
    reference = load_model(str(tiny_model_dir)).eval()
    policy, _ = load_for_inference(source_for(recipe.run_dir))

    def accuracy(model) -> float:
        chosen = sequence_logps(model, tokenizer, PAIRS, "chosen") - sequence_logps(
            reference, tokenizer, PAIRS, "chosen"
        )
        rejected = sequence_logps(model, tokenizer, PAIRS, "rejected") - sequence_logps(
            reference, tokenizer, PAIRS, "rejected"
        )
        return (chosen > rejected).float().mean().item()

    assert accuracy(reference) == 0.0  # before training the policy is the reference: every margin is zero
    assert accuracy(policy) == 1.0


def reward_recipe(make_recipe, pairs_file, method):
    return make_recipe(
        data={"train": str(pairs_file), "validation": str(pairs_file)},
        stage="reward",
        method=method,
        train={**FAST, "max_steps": 4, "learning_rate": 1e-3 if method["name"] == "full" else 1e-2},
    )


def check_reward_run(recipe) -> None:
    """The run logs reward accuracy and margin, and its model scores each chosen reply above its rejected one."""
    from tunesmith.train.rewards.reward_model import load_reward_model

    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    assert all(math.isfinite(r["loss"]) for r in rows if "loss" in r)
    evals = [r for r in rows if "eval_loss" in r]
    assert {"eval_accuracy", "eval_margin"} <= set(evals[-1])
    model, tokenizer = load_reward_model(str(recipe.run_dir))
    assert model.config.num_labels == 1

    def score(reply: str) -> float:
        messages = [{"role": "user", "content": PAIRS[0]["prompt"]}, {"role": "assistant", "content": reply}]
        ids = tokenizer.apply_chat_template(messages, tokenize=True, return_tensors="pt", return_dict=True)
        with torch.no_grad():
            return model(**ids).logits[0, 0].item()

    assert score("Yes, it is.") > score("No.")


def test_reward_stage_full_fine_tune(make_recipe, pairs_file):
    recipe = reward_recipe(make_recipe, pairs_file, {"name": "full"})
    train(recipe)
    config = (RunDir(recipe.run_dir).final / "config.json").read_text()
    assert "LlamaForSequenceClassification" in config
    check_reward_run(recipe)


def test_reward_stage_with_lora_saves_the_score_head(make_recipe, pairs_file):
    recipe = reward_recipe(make_recipe, pairs_file, {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0})
    train(recipe)
    adapter = load_file(str(RunDir(recipe.run_dir).final / "adapter_model.safetensors"))
    assert any("score" in k for k in adapter)
    check_reward_run(recipe)


def test_kto_trains_on_a_llama_factory_messages_and_label_file(make_recipe, tmp_path):
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Question {i}: is this fine?"},
                {"role": "assistant", "content": "Yes, it is." if i % 2 else "No."},
            ],
            "label": bool(i % 2),
        }
        for i in range(8)
    ]
    data = tmp_path / "kto_en_demo.json"  # the JSON-array shape of LLaMA-Factory's data/kto_en_demo.json
    data.write_text(json.dumps(rows), encoding="utf-8")
    recipe = preference_recipe(make_recipe, data, {"name": "kto"})
    result = train(recipe)
    assert result.steps == 2 and result.train_examples == 8
    evals = [r for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "eval_loss" in r]
    assert all(math.isfinite(evals[-1][key]) for key in ("eval_rewards/chosen", "eval_rewards/rejected", "eval_kl"))
    assert_trained_adapter(RunDir(recipe.run_dir))
