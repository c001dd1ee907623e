"""A learned gate over the quickstart and tool-use LoRA adapters, against each adapter alone and their merge.

    nice -n 5 python bench/lora_mixture.py [--steps 100] [--dev 30] [--work runs/lora_mixture]

The gate (method `xlora`, tunesmith.models.adapter_gate) trains on a 50/50 mix of both examples' training files;
only the gate trains. Its settings are chosen on dev sets drawn fresh from each example's generator (the draws of
bench/combine_weights.py: seeds 1013 and 1007, no user text shared with the training or test files); the merged
adapter is the combination bench/combine_weights.py chose on the same dev sets (task_arithmetic 0.5,1), made with
`combine_runs`. Then every model is scored once on each test file: Wilson 95% intervals for exact_match and
tool_call_accuracy, a percentile bootstrap (2,000 resamples) for field_accuracy, and a paired bootstrap of the
gate minus the merge. Everything lands under --work; a second run reuses what is there (scores, runs).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MERGE = ("task_arithmetic", [0.5, 1.0])  # bench/combine_weights.py's choice on the dev sets (README)
CANDIDATES = {"shared": False, "layerwise": True}  # gate settings tried on dev: X-LoRA's layerwise_scalings off/on
TASKS = ("quickstart", "tool_use")
HEADLINE = {"quickstart": ("exact_match", "field_accuracy"), "tool_use": ("tool_call_accuracy",)}


def combine_weights_module():
    spec = importlib.util.spec_from_file_location("combine_weights", ROOT / "bench" / "combine_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def training_files(work: Path) -> list[Path]:
    """Both training files under distinct names (a multi-task recipe tells its files apart by stem)."""
    folder = work / "data"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for task in TASKS:
        target = folder / f"{task}.jsonl"
        shutil.copyfile(ROOT / "examples" / task / "data" / "train.jsonl", target)
        out.append(target)
    return out


def gate_recipe(args, work: Path, name: str, layerwise: bool):
    from tunesmith.config import validate_recipe

    quick, tools = training_files(work)
    raw = {
        "model": "smollm2-135m",
        "data": {
            "train": str(quick),
            "tasks": [str(tools)],
            "mix_weights": {"quickstart": 0.5, "tool_use": 0.5},
            "validation_split": 0.0,
        },
        "method": {"name": "xlora", "adapters": [str(args.quickstart), str(args.tool_use)], "layerwise": layerwise},
        "train": {
            "max_steps": args.steps,
            "batch_size": args.batch_size,
            "learning_rate": args.lr,
            "max_length": 640,
            "logging_steps": 10,
            "keep_best": False,
            "seed": 42,
        },
        "eval": {"file": None, "forgetting_probe": False},
        "output": {"dir": str(work.absolute()), "name": name},
    }
    return validate_recipe(raw, source=f"bench/lora_mixture.py ({name})")


def train_gate(args, work: Path, name: str, layerwise: bool) -> dict:
    """Train (or find finished) the gate run `name`; its summary (steps, seconds)."""
    from tunesmith.train.run import train

    result = train(gate_recipe(args, work, name, layerwise), resume=True)
    return {"steps": result.steps, "train_seconds": result.train_seconds, "run": result.run_dir}


def eval_config(run: Path):
    from tunesmith.config import load_run_recipe
    from tunesmith.runs import RunDir

    cfg = load_run_recipe(RunDir(run).recipe).eval
    return cfg.model_copy(update={"forgetting_probe": False, "limit": None})


def score(work: Path, label: str, run: Path, task: str, data: Path, cfg) -> dict:
    """Per-record headline scores of `run` on `data` (cached in work/scores)."""
    from tunesmith.eval import metrics as metric_fns
    from tunesmith.eval.run import evaluate
    from tunesmith.models.loading import ModelSource, source_for

    cache = work / "scores" / f"{label}--{task}--{data.stem}.json"
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    found = source_for(run)
    result = evaluate(ModelSource(found.base, found.adapter, label), data, cfg)
    preds = [row["prediction"] for row in result.predictions]
    refs = [row["reference"] for row in result.predictions]
    metric = "json" if task == "quickstart" else "tool_call"
    rows = {
        name: metric_fns.per_example(
            metric if name != "exact_match" else "exact_match", preds, refs, name, cfg.json_fields
        )
        for name in HEADLINE[task]
    }
    out = {"metrics": result.metrics, "rows": rows}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out), encoding="utf-8")
    return out


def gate_weights(run: Path, data: Path) -> list[float]:
    """The gate's mean weight on each adapter at the last prompt token, over `data`'s prompts."""
    import torch

    from tunesmith.eval.run import eval_examples
    from tunesmith.models.generate import render_prompts
    from tunesmith.models.loading import load_for_inference, source_for

    model, tokenizer = load_for_inference(source_for(run))
    examples = eval_examples(data)
    prompts = render_prompts(tokenizer, examples[0], examples[2])
    chosen = []
    with torch.inference_mode():
        for prompt in prompts:
            ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
            model(**ids)
            chosen.append(model.adapter_gate.state.weights[0, -1].mean(0))
    return torch.stack(chosen).mean(0).tolist()


def limited(data: Path, limit: int | None, work: Path) -> Path:
    """`data`, or a copy of its first `limit` records (scored as the whole file would be)."""
    if limit is None:
        return data
    lines = [line for line in data.read_text(encoding="utf-8").splitlines() if line.strip()][:limit]
    out = work / "tests" / f"{data.parent.parent.name}-{data.stem}-first{limit}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def cell(scores: dict, name: str) -> str:
    from tunesmith.arena.score import interval
    from tunesmith.rag.evaluate import wilson

    values = scores["rows"][name]
    mean = sum(values) / len(values)
    if all(v in (0.0, 1.0) for v in values):
        low, high = wilson(sum(values), len(values))
    else:
        found = interval(values)
        low, high = found["low"], found["high"]
    return f"{mean:.3f} ({low:.2f}–{high:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quickstart", type=Path, default=Path("runs/quickstart"))
    parser.add_argument("--tool-use", type=Path, default=Path("runs/tool_use"))
    parser.add_argument("--work", type=Path, default=Path("runs/lora_mixture"))
    parser.add_argument("--steps", type=int, default=100, help="gate training steps")
    parser.add_argument("--lr", type=float, default=1e-3, help="gate learning rate")
    parser.add_argument("--dev", type=int, default=30, help="records per dev set; 0: no dev sets (one candidate)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N records of each test file")
    parser.add_argument("--batch-size", type=int, default=8, help="gate training batch")
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help="gate settings tried on dev")
    args = parser.parse_args()

    from tunesmith.arena.score import paired_difference
    from tunesmith.export.combine import Combination, combine_runs

    work = args.work.absolute()
    work.mkdir(parents=True, exist_ok=True)
    own = {"quickstart": args.quickstart, "tool_use": args.tool_use}
    configs = {task: eval_config(run) for task, run in own.items()}
    tests = {task: limited(configs[task].file, args.limit, work) for task in TASKS}
    candidates = args.candidates.split(",")
    if args.dev == 0 and len(candidates) > 1:
        parser.error("without dev sets (--dev 0) give one --candidates setting: nothing else may choose")
    devs = dict(zip(TASKS, combine_weights_module().dev_sets(work, args.dev))) if args.dev else {}

    print(f"command: python bench/lora_mixture.py {' '.join(sys.argv[1:])}")
    trained, dev_means = {}, {}
    for name in candidates:
        trained[name] = train_gate(args, work, f"gate-{name}", CANDIDATES[name])
        run = Path(trained[name]["run"])
        if not args.dev:
            dev_means[name] = float("nan")
            continue
        dev = {task: score(work, f"gate-{name}", run, task, devs[task], configs[task]) for task in TASKS}
        field, tool = dev["quickstart"]["metrics"]["field_accuracy"], dev["tool_use"]["metrics"]["tool_call_accuracy"]
        dev_means[name] = (field + tool) / 2
        print(f"dev, gate {name}: field_accuracy {field:.3f}, tool_call_accuracy {tool:.3f}", flush=True)
    best = max(dev_means, key=dev_means.get) if args.dev else candidates[0]
    gate_run = Path(trained[best]["run"])

    merged = work / "merged"
    if not (merged / "final").is_dir():
        combine_runs([args.quickstart, args.tool_use], merged, Combination(name=MERGE[0], weights=MERGE[1]))
    models = {
        "quickstart adapter": args.quickstart,
        "tool_use adapter": args.tool_use,
        f"merged ({MERGE[0]} {','.join(f'{w:g}' for w in MERGE[1])})": merged,
        f"learned gate ({best})": gate_run,
    }
    results = {}
    for label in reversed(models):  # the gate first, then the merge, then each adapter alone (scores are cached)
        for task in TASKS:
            key = label.split(" (")[0].replace(" ", "_") + (f"-{best}" if label.startswith("learned") else "")
            results[(label, task)] = score(work, key, models[label], task, tests[task], configs[task])
    if args.dev:
        print(f"\ngate chosen on dev: {best} (dev mean of field_accuracy and tool_call_accuracy {dev_means[best]:.3f})")
    else:
        print(f"\ngate settings fixed in advance, not tuned: {best}, lr {args.lr}, {args.steps} steps")
    done = trained[best]
    print(f"gate training: {done['steps']} steps of batch {args.batch_size}, {done['train_seconds']:.0f} s", end=" ")
    print("(CPU, measured with other jobs on the machine)\n")
    print("| test metric | " + " | ".join(models) + " |")
    print("|---|" + "---|" * len(models))
    for task in TASKS:
        for name in HEADLINE[task]:
            n = len(results[(next(iter(models)), task)]["rows"][name])
            row = [cell(results[(label, task)], name) for label in models]
            print(f"| {task} {name} ({n}) | " + " | ".join(row) + " |")
    print("\nGate minus merged, paired bootstrap 95% (a tie when the interval holds 0):")
    gate_label, merged_label = list(models)[3], list(models)[2]
    for task in TASKS:
        for name in HEADLINE[task]:
            diff = paired_difference(
                results[(gate_label, task)]["rows"][name], results[(merged_label, task)]["rows"][name]
            )
            verdict = "tie" if diff["tie"] else ("gate better" if diff["mean"] > 0 else "merge better")
            print(f"- {task} {name}: {diff['mean']:+.3f} ({diff['low']:+.3f} to {diff['high']:+.3f}) — {verdict}")
    print("\nMean gate weight (quickstart adapter, tool_use adapter) at the last prompt token:")
    for task in TASKS:
        weights = gate_weights(gate_run, tests[task])
        print(f"- {task} test prompts: {weights[0]:.3f}, {weights[1]:.3f}")


if __name__ == "__main__":
    main()
