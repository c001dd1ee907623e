"""SFT alone against SFT → self-play DPO (the `spin` stage, on-policy pairs balanced across failure types), over
several seeds, on the quickstart and on tasks of examples/tasks.

    python bench/preference_seeds.py [--tasks quickstart,classify] [--seeds 42,43,44] [--work runs/bench-preference]

Each seed trains one chain (SFT, then spin from the SFT model), with the seed in `train.seed`: the SFT run, the
prompts spin samples and its pairs all change with it. Both stages' adapters are scored on the task's whole test
split (the eval file, never tuned on). Per seed: each arm's headline metric with its 95% bootstrap interval and the
paired difference spin − SFT. Over seeds: the mean difference with its spread, and a paired bootstrap on each test
example's score averaged over the seeds (a tie when the interval holds 0). The quickstart chain is
examples/align/sft_spin.yaml as written; a task's chain is the same with the task's data and its SFT budget.
Everything is cached under --work; a rerun trains and scores only what is missing.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPIN_CHAIN = ROOT / "examples" / "align" / "sft_spin.yaml"
SFT_STEPS = {"classify": 30, "passage_qa": 30, "rewrite": 30}  # as the quickstart chain: SFT short of saturation
SPIN_NEW_TOKENS = {"classify": 8, "passage_qa": 16, "rewrite": 48}


def chain_file(task: str, work: Path) -> Path:
    """The chain recipe for `task`: sft_spin.yaml itself for the quickstart, else a copy with the task's data."""
    if task == "quickstart":
        return SPIN_CHAIN
    folder = ROOT / "examples" / "tasks" / task
    raw = yaml.safe_load(SPIN_CHAIN.read_text(encoding="utf-8"))
    data = {"train": str(folder / "data" / "train.jsonl"), "validation": str(folder / "data" / "dev.jsonl")}
    task_eval = yaml.safe_load((folder / "recipe.yaml").read_text(encoding="utf-8"))["eval"]
    raw["stages"][0].update(data=data)
    raw["stages"][0]["train"]["max_steps"] = SFT_STEPS[task]
    raw["stages"][1].update(data=data)
    raw["stages"][1]["stage"]["max_new_tokens"] = SPIN_NEW_TOKENS[task]
    raw["eval"] = {**task_eval, "file": str(folder / "data" / "eval.jsonl")}
    path = work / task / "chain.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def scored(run: Path, cfg, cache: Path) -> dict:
    """The headline metric of the adapter in `run` on the eval file: every example's score, cached as JSON."""
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    from tunesmith.eval import metrics as metric_fns
    from tunesmith.eval.run import evaluate
    from tunesmith.models.loading import source_for

    cfg = cfg.model_copy(update={"limit": None, "forgetting_probe": False})
    result = evaluate(source_for(str(run)), cfg.file, cfg)
    metric = cfg.metrics[0]
    preds = [row["prediction"] for row in result.predictions]
    refs = [row["reference"] for row in result.predictions]
    headline = metric_fns.HEADLINE[metric]
    found = {"headline": headline, "metrics": result.metrics,
             "scores": metric_fns.per_example(metric, preds, refs, headline, cfg.json_fields)}  # fmt: skip
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(found), encoding="utf-8")
    return found


def run_seed(task: str, chain: Path, seed: int, work: Path) -> dict:
    """Train (once) and score one seed of `task`'s `chain`: both arms' per-example scores, pair counts and training
    seconds."""
    from tunesmith.train.chain import load_chain, train_chain

    overrides = [f"train.seed={seed}", f"output.dir={work / task}", f"output.name=seed-{seed}"]
    recipes = load_chain(chain, overrides)
    sft_dir, spin_dir = (Path(recipe.run_dir) for recipe in recipes)
    _, results = train_chain(recipes, resume=True)
    scores = {arm: scored(d, recipes[-1].eval, work / task / "scores" / f"{seed}-{arm}.json")
              for arm, d in (("sft", sft_dir), ("spin", spin_dir))}  # fmt: skip
    failures = json.loads((spin_dir / "self-play" / "failures.json").read_text(encoding="utf-8"))["train"]
    return {
        "scores": scores,
        "pairs": {kind: count["kept"] for kind, count in failures.items()},
        "found": sum(count["found"] for count in failures.values()),
        "seconds": [round(r["train_seconds"]) for r in results],
    }


def cell(found: dict) -> str:
    return f"{found['mean']:.3f} ({found['low']:.2f}–{found['high']:.2f})"


def signed(found: dict) -> str:
    verdict = "tie" if found["tie"] else ("spin better" if found["mean"] > 0 else "SFT better")
    return f"{found['mean']:+.3f} ({found['low']:+.2f} to {found['high']:+.2f}), {verdict}"


def main() -> None:
    from tunesmith.eval.stats import interval, paired_difference

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="quickstart,classify")
    parser.add_argument("--seeds", default="42,43,44")
    parser.add_argument("--work", type=Path, default=Path("runs/bench-preference"))
    args = parser.parse_args()
    work, seeds = args.work.resolve(), [int(s) for s in args.seeds.split(",")]
    print("| task (metric, test n) | seed | SFT | SFT → spin | spin − SFT (paired) | pairs kept / wrong | train s |")
    print("|---|---|---|---|---|---|---|")
    first_pairs = {}
    for task in args.tasks.split(","):
        chain = chain_file(task, work)
        runs = {seed: run_seed(task, chain, seed, work) for seed in seeds}
        first_pairs[task] = runs[seeds[0]]["pairs"]
        first = runs[seeds[0]]["scores"]["sft"]
        label = f"{task} ({first['headline']}, {len(first['scores'])})"
        for seed, found in runs.items():
            sft, spin = found["scores"]["sft"]["scores"], found["scores"]["spin"]["scores"]
            print(
                f"| {label} | {seed} | {cell(interval(sft))} | {cell(interval(spin))} "
                f"| {signed(paired_difference(spin, sft))} | {sum(found['pairs'].values())} / {found['found']} "
                f"| {found['seconds'][0]} + {found['seconds'][1]} |"
            )
        means = {arm: [statistics.mean(found["scores"][arm]["scores"]) for found in runs.values()]
                 for arm in ("sft", "spin")}  # fmt: skip
        deltas = [b - a for a, b in zip(means["sft"], means["spin"])]
        averaged = {arm: [statistics.mean(col) for col in zip(*(f["scores"][arm]["scores"] for f in runs.values()))]
                    for arm in ("sft", "spin")}  # fmt: skip
        spread = statistics.stdev(deltas) if len(deltas) > 1 else 0.0
        print(
            f"| {label} | mean of {len(seeds)} | {statistics.mean(means['sft']):.3f} "
            f"| {statistics.mean(means['spin']):.3f} "
            f"| {signed(paired_difference(averaged['spin'], averaged['sft']))}; per seed {statistics.mean(deltas):+.3f}"
            f" ± {spread:.3f} | | |"
        )
    print()
    print("Pairs kept per failure type (first seed):")
    for task, pairs in first_pairs.items():
        print(f"- {task}: {json.dumps(pairs, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
