"""End to end on the real default model (SmolLM2-135M-Instruct): train, evaluate before/after, merge."""

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tunesmith.config import load_recipe
from tunesmith.eval.compare import compare
from tunesmith.export.merge import merge_run
from tunesmith.models.generate import generate
from tunesmith.models.loading import load_for_inference, source_for
from tunesmith.runs import RunDir
from tunesmith.train.run import train

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_quickstart_recipe_short_run_on_the_real_model(tmp_path):
    small = tmp_path / "train.jsonl"
    lines = (ROOT / "examples/quickstart/data/train.jsonl").read_text(encoding="utf-8").splitlines()[:48]
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recipe = load_recipe(
        ROOT / "examples/quickstart/recipe.yaml",
        [
            f"data.train={small}",
            "data.validation_split=0.2",
            "train.max_steps=6",
            "train.eval_steps=3",
            "eval.limit=8",
            f"eval.file={ROOT / 'examples/quickstart/data/eval.jsonl'}",
            f"output.dir={tmp_path / 'runs'}",
        ],
    )
    result = train(recipe)
    assert result.steps == 6 and result.trainable_params < result.total_params * 0.05
    run = RunDir(recipe.run_dir)
    results, _ = compare(run.root, recipe.eval.file, recipe.eval, run.eval_dir)
    base, tuned = (r.metrics for r in results)
    assert tuned["val_loss"] < base["val_loss"]
    assert tuned["json_valid"] >= base["json_valid"]
    first = json.loads((run.eval_dir / "predictions-1.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["prediction"].startswith("{")

    prompts = [[{"role": "user", "content": p["prompt"]}] for p in results[1].predictions[:4]]
    adapted, tokenizer = load_for_inference(source_for(run.root))
    expected = generate(adapted, tokenizer, prompts, max_new_tokens=48)
    merged_dir = merge_run(run.root, tmp_path / "merged")
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
    assert generate(merged, AutoTokenizer.from_pretrained(merged_dir), prompts, max_new_tokens=48) == expected
