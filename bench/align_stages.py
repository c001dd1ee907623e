"""Every alignment stage on the default model with the example data: trains, reports held-out figures, reloads.

    python bench/align_stages.py [--stages reward,dpo,orpo,simpo,kto,rloo] [--steps 10] [--out runs/bench-align]

Each stage is `tunesmith train` in its own process: LoRA r16 on SmolLM2-135M-Instruct, batch 4, from the base
model, on examples/align/data (pairs for reward/dpo/orpo/simpo/kto, prompts with a JSON-validity reward for
rloo). Then every run that generates text goes through `tunesmith eval` (20 quickstart eval records, which loads
the adapter the way `chat` and `serve` do) and `tunesmith export merge`; the reward model is a scorer, so its
check is the held-out reward accuracy. Prints one markdown row per stage.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "tunesmith")
FIELDS = ["name", "gender", "age", "city", "phone"]
PAIRS, PROMPTS = str(ROOT / "examples/align/data/pairs.jsonl"), str(ROOT / "examples/align/data/prompts.jsonl")
STAGES = {  # stage section, data file, learning rate
    "reward": ({"name": "reward"}, PAIRS, 1e-4),
    "dpo": ({"name": "dpo", "beta": 0.1}, PAIRS, 1e-4),
    "orpo": ({"name": "orpo"}, PAIRS, 1e-4),
    "simpo": ({"name": "simpo"}, PAIRS, 1e-4),
    "kto": ({"name": "kto"}, PAIRS, 1e-4),
    "rloo": ({"name": "rloo", "rewards": [{"name": "json_valid"}], "max_completion_length": 64}, PROMPTS, 2e-4),
}


def recipe(stage: str, steps: int, out: Path) -> dict:
    section, data, lr = STAGES[stage]
    return {
        "model": "smollm2-135m",
        "stage": section,
        "method": {"name": "lora", "r": 16, "alpha": 32, "dropout": 0.0, "target_modules": "all-linear"},
        "data": {"train": data, "validation_split": 0.05},
        "train": {
            "max_steps": steps,
            "batch_size": 4,
            "learning_rate": lr,
            "eval_steps": steps,
            "max_length": 256,
            "logging_steps": 2,
        },  # fmt: skip
        "eval": {
            "file": str(ROOT / "examples/quickstart/data/eval.jsonl"),  # a recipe file reads paths from its folder
            "metrics": ["json"],
            "json_fields": FIELDS,
            "max_new_tokens": 64,
            "limit": 20,
        },  # fmt: skip
        "output": {"dir": str(out), "name": stage},
    }


def run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-align")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print("| stage | steps | train s | held-out | json_valid (20) | export merge |")
    print("|---|---:|---:|---|---:|---|")
    for stage in args.stages.split(","):
        path = args.out / f"{stage}.json"
        path.write_text(json.dumps(recipe(stage, args.steps, args.out)))
        done = run([CLI, "train", str(path), "--overwrite", "--no-eval"])
        if done.returncode != 0:
            print(f"| {stage} | | | failed: {done.stderr.strip().splitlines()[-1][:100]} | | |", flush=True)
            continue
        summary = json.loads((args.out / stage / "summary.json").read_text())
        held = ", ".join(f"{k} {v:.3g}" for k, v in (summary.get("held_out") or {}).items()) or "-"
        valid, merged = "-", "-"
        if stage != "reward":
            report = args.out / stage / "eval"
            evaluated = run([CLI, "eval", str(args.out / stage), "--no-baseline", "--out", str(report)])
            if evaluated.returncode == 0:
                metrics = json.loads((report / "report.json").read_text())["models"][-1]["metrics"]
                valid = f"{metrics['json_valid']:.2f}"
            else:
                valid = "eval failed"
            exported = run([CLI, "export", "merge", str(args.out / stage), "--out", str(args.out / f"{stage}-merged")])
            merged = "ok" if exported.returncode == 0 else exported.stderr.strip().splitlines()[-1][:80]
        seconds = summary["train_seconds"]
        print(f"| {stage} | {summary['steps']} | {seconds:.0f} | {held} | {valid} | {merged} |", flush=True)


if __name__ == "__main__":
    main()
