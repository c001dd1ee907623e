"""`auto` hyperparameters against hand-tuned ones, on the quickstart and the three tasks of examples/tasks.

    python bench/auto_hparams.py [--tasks classify,passage_qa,rewrite,quickstart] [--grid-lr 1e-3,3e-3]
        [--grid-steps 150] [--work runs/bench-auto] [--dev-limit 100]

Per task, three arms, each scored once on the test split (the eval file, never tuned on):
- base: the untrained model;
- minimal: the task's recipe with only `data` and `eval` (every train value `auto`, LoRA by default);
- hand-tuned: LoRA r16 on all linear layers, dropout 0, batch 8, max_length 256, the best of a learning-rate × steps
  grid, chosen on the dev
  split's headline metric (ties: the fewer steps, then the higher rate).
The quickstart has no dev file: its first 100 training records (fixed seed shuffle) become dev, and every arm trains
on the other 900. The table gives the headline metric with its 95% bootstrap interval, the paired difference of
minimal minus hand-tuned (a tie when its interval holds 0) and the training seconds. Everything is cached under
--work; a rerun trains and scores only what is missing.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = ("classify", "passage_qa", "rewrite", "quickstart")
HAND = {"name": "lora", "r": 16, "alpha": 32, "dropout": 0.0, "target_modules": "all-linear"}


def task_files(task: str, work: Path) -> tuple[Path, dict]:
    """The task's recipe folder and its train/dev/test files (the quickstart's dev cut from its train file)."""
    if task != "quickstart":
        folder = ROOT / "examples" / "tasks" / task
        return folder, {part: folder / "data" / f"{part}.jsonl" for part in ("train", "dev", "eval")}
    folder = ROOT / "examples" / "quickstart"
    lines = (folder / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(19).shuffle(lines)
    out = work / "quickstart" / "data"
    out.mkdir(parents=True, exist_ok=True)
    (out / "dev.jsonl").write_text("".join(lines[:100]), encoding="utf-8")
    (out / "train.jsonl").write_text("".join(lines[100:]), encoding="utf-8")
    return folder, {"train": out / "train.jsonl", "dev": out / "dev.jsonl", "eval": folder / "data" / "eval.jsonl"}


def eval_section(folder: Path) -> dict:
    """The task recipe's eval section (files made absolute later), without the forgetting probe or a baseline."""
    from tunesmith.config import load_recipe

    cfg = load_recipe(folder / "recipe.yaml").eval
    return cfg.model_copy(update={"forgetting_probe": False, "baseline": False, "limit": None})


def trained(raw: dict, work: Path, name: str) -> tuple[Path, dict]:
    """Train `raw` as run `name` under `work` (once); its run folder and summary (steps, training seconds …)."""
    from tunesmith.config import validate_recipe
    from tunesmith.runs import RunDir
    from tunesmith.train.run import train

    run = RunDir(work / name)
    if not run.summary.is_file():
        recipe = validate_recipe({**raw, "output": {"dir": str(work), "name": name}}, source=name)
        train(recipe, overwrite=True)
    return run.root, json.loads(run.summary.read_text(encoding="utf-8"))


def scored(model: str | Path, data: Path, cfg, cache: Path, limit: int | None = None) -> dict:
    """The headline and every metric of `model` on `data`, with per-example predictions (cached as JSON)."""
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    from tunesmith.eval.run import evaluate
    from tunesmith.models.loading import source_for

    result = evaluate(source_for(str(model)), data, cfg.model_copy(update={"limit": limit}))
    found = {"metrics": result.metrics, "intervals": result.intervals, "predictions": result.predictions}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return found


def per_example(found: dict, cfg, headline: str) -> list[float]:
    from tunesmith.eval import metrics as metric_fns

    preds = [row["prediction"] for row in found["predictions"]]
    refs = [row["reference"] for row in found["predictions"]]
    metric = next(m for m in cfg.metrics if headline in metric_fns.SCORES[m])
    return metric_fns.per_example(metric, preds, refs, headline, cfg.json_fields)


def run_task(task: str, args, work: Path) -> dict:
    """One task's row (cached in `work`/result.json: a rerun prints it without recomputing)."""
    done = work / "result.json"
    if done.is_file():
        return json.loads(done.read_text(encoding="utf-8"))
    row = _measure(task, args, work)
    done.write_text(json.dumps(row, indent=2), encoding="utf-8")
    return row


def _measure(task: str, args, work: Path) -> dict:
    from tunesmith.config import load_run_recipe
    from tunesmith.eval import metrics as metric_fns
    from tunesmith.eval.stats import interval, paired_difference

    folder, files = task_files(task, args.work)
    cfg = eval_section(folder)
    headline = metric_fns.HEADLINE[cfg.metrics[0]]
    data = {"train": str(files["train"]), "validation": str(files["dev"])}
    eval_raw = {**cfg.model_dump(mode="json"), "file": str(files["eval"])}
    base = scored("smollm2-135m", files["eval"], cfg, work / "scores" / "base.json")

    minimal_run, minimal_summary = trained({"data": data, "eval": eval_raw}, work, "minimal")
    minimal = scored(minimal_run, files["eval"], cfg, work / "scores" / "minimal.json")
    auto = load_run_recipe(minimal_run / "recipe.yaml").train

    grid = []
    for lr in args.grid_lr:
        for steps in args.grid_steps:
            name = f"hand-lr{lr:g}-steps{steps}"
            train_raw = {"learning_rate": lr, "max_steps": steps, "batch_size": 8, "max_length": 256}
            run, summary = trained({"data": data, "method": HAND, "train": train_raw}, work, name)
            dev = scored(run, files["dev"], cfg, work / "scores" / f"{name}-dev.json", args.dev_limit)
            grid.append((dev["metrics"][headline], -steps, lr, steps, run, summary["train_seconds"]))
    _, _, best_lr, best_steps, best_run, best_seconds = max(grid)
    hand = scored(best_run, files["eval"], cfg, work / "scores" / "hand-test.json")

    scores = {arm: per_example(found, cfg, headline) for arm, found in (("base", base), ("minimal", minimal))}
    scores["hand"] = per_example(hand, cfg, headline)
    return {
        "task": task,
        "headline": headline,
        "n": len(scores["hand"]),
        "base": interval(scores["base"]),
        "minimal": interval(scores["minimal"]),
        "hand": interval(scores["hand"]),
        "minimal_minus_hand": paired_difference(scores["minimal"], scores["hand"]),
        "auto": {"learning_rate": auto.learning_rate, "batch_size": auto.batch_size, "steps": minimal_summary["steps"]},
        "hand_settings": {"learning_rate": best_lr, "steps": best_steps},
        "seconds": {"minimal": minimal_summary["train_seconds"], "hand": best_seconds},
        "dev_grid": [{"lr": lr, "steps": steps, headline: score} for score, _, lr, steps, _, _ in grid],
    }


def cell(found: dict) -> str:
    return f"{found['mean']:.3f} ({found['low']:.2f}–{found['high']:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--grid-lr", default="1e-3,3e-3")
    parser.add_argument("--grid-steps", default="150")
    parser.add_argument("--work", type=Path, default=Path("runs/bench-auto"))
    parser.add_argument("--dev-limit", type=int, default=100, help="dev records scored per grid run")
    args = parser.parse_args()
    args.work = args.work.resolve()
    args.grid_lr = [float(x) for x in args.grid_lr.split(",")]
    args.grid_steps = [int(x) for x in args.grid_steps.split(",")]
    rows = [run_task(task, args, args.work / task) for task in args.tasks.split(",")]
    columns = ["task (metric, test n)", "base", "minimal recipe (auto)", "hand-tuned (best on dev)"]
    print("| " + " | ".join([*columns, "minimal − hand-tuned", "train s"]) + " |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        auto, hand, diff = row["auto"], row["hand_settings"], row["minimal_minus_hand"]
        verdict = "tie" if diff["tie"] else ("minimal better" if diff["mean"] > 0 else "hand-tuned better")
        print(
            f"| {row['task']} ({row['headline']}, {row['n']}) | {cell(row['base'])} "
            f"| {cell(row['minimal'])}: lr {auto['learning_rate']:g}, batch {auto['batch_size']}, "
            f"{auto['steps']} steps "
            f"| {cell(row['hand'])}: lr {hand['learning_rate']:g}, {hand['steps']} steps "
            f"| {diff['mean']:+.3f} ({diff['low']:+.2f} to {diff['high']:+.2f}), {verdict} "
            f"| {row['seconds']['minimal']:.0f} / {row['seconds']['hand']:.0f} |"
        )


if __name__ == "__main__":
    main()
