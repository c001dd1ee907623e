"""Self-play (SPIN): the model's own wrong answers become the rejected side of DPO pairs."""

from __future__ import annotations

import json
import math

from tests.conftest import write_jsonl
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train
from tunesmith.train.stages.spin import self_play_pairs


def _chat(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_only_prompts_answered_differently_become_pairs():
    conversations = [_chat("2+2?", "4"), _chat("Capital of France?", "Paris")]
    rows = self_play_pairs(conversations, ["4", "Lyon"])
    assert rows == [
        {
            "prompt": [{"role": "user", "content": "Capital of France?"}],
            "chosen": [{"role": "assistant", "content": "Paris"}],
            "rejected": [{"role": "assistant", "content": "Lyon"}],
        }
    ]


def _spin_recipe(make_recipe, tmp_path, rows: list[dict], validation_split: float, max_new_tokens: int, **train):
    data = write_jsonl(tmp_path / "sft.jsonl", rows)
    return make_recipe(
        data={"train": str(data), "validation_split": validation_split},
        stage={"name": "spin", "max_new_tokens": max_new_tokens},
        train={"max_steps": 2, "batch_size": 4, "logging_steps": 1, "precision": "fp32", **train},
    )


def test_spin_pairs_references_against_the_models_own_answers_and_trains(make_recipe, tmp_path):
    rows = [{"messages": _chat(f"Say the code word {i}.", f"The code word is number {i}.")} for i in range(12)]
    recipe = _spin_recipe(make_recipe, tmp_path, rows, 0.25, 6, eval_steps=2)
    result = train(recipe)
    run = RunDir(recipe.run_dir)
    pairs = read_jsonl(run.root / "self-play" / "train.jsonl")
    held_out = read_jsonl(run.root / "self-play" / "validation.jsonl")
    assert len(pairs) == 9 and len(held_out) == 3  # a random model never says the reference
    references = {r["messages"][-1]["content"] for r in rows}
    for pair in pairs:
        assert pair["chosen"][0]["content"] in references
        assert pair["rejected"][0]["content"] != pair["chosen"][0]["content"]
        assert pair["prompt"][0]["role"] == "user" and len(pair["prompt"]) == 1
    failures = json.loads((run.root / "self-play" / "failures.json").read_text(encoding="utf-8"))
    assert list(failures["train"].values()) == [{"found": 9, "kept": 9}]  # one failure type: balancing keeps all
    assert sum(kind["kept"] for kind in failures["validation"].values()) == 3
    evals = [r for r in read_jsonl(run.metrics) if "eval_rewards/accuracies" in r]
    assert result.steps == 2 and evals and math.isfinite(evals[-1]["eval_rewards/margins"])


def test_spin_reuses_its_pairs_on_resume(make_recipe, tmp_path):
    rows = [{"messages": _chat(f"Repeat {i}.", f"Repeated {i}.")} for i in range(8)]
    recipe = _spin_recipe(make_recipe, tmp_path, rows, 0.0, 4, save_steps=1)
    train(recipe)
    cache = RunDir(recipe.run_dir).root / "self-play" / "train.jsonl"
    planted = [{"prompt": [{"role": "user", "content": "Repeat 0."}], "chosen": [{"role": "assistant",
               "content": "Repeated 0."}], "rejected": [{"role": "assistant", "content": "planted"}]}]  # fmt: skip
    write_jsonl(cache, planted * 4)
    resumed = recipe.model_copy(update={"train": recipe.train.model_copy(update={"max_steps": 3})})
    assert train(resumed, resume=True).steps == 3
    assert read_jsonl(cache) == planted * 4  # the cached pairs were read, not generated again
