"""Choose how to combine the quickstart and tool-use adapters on dev sets, never on their test files.

    python bench/combine_weights.py [--quickstart runs/quickstart] [--tool-use runs/tool_use] [--dev 30]

The dev sets are fresh draws from the examples' own generators (`examples/quickstart/make_data.py` with seed
1013, `examples/tool_use/make_data.py`'s record() with seed 1007), keeping only records whose user text appears in
neither the training nor the test file. Each candidate (a `--combine` rule and weights) is combined with
`tunesmith export merge` (the library call, no eval) into a scratch folder and scored on both dev sets with each
run's own eval settings; the table prints field_accuracy, tool_call_accuracy and their mean, best first, and the
command that reports the best one on the test files.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [  # (rule, weights, density); the first two are each source alone, for reference
    ("task_arithmetic", (1.0, 0.0), None),
    ("task_arithmetic", (0.0, 1.0), None),
    ("task_arithmetic", (1.0, 1.0), None),
    ("task_arithmetic", (0.7, 0.7), None),
    ("task_arithmetic", (0.5, 1.0), None),
    ("task_arithmetic", (0.7, 1.0), None),
    ("ties", (1.0, 1.0), 0.5),
    ("dare_ties", (1.0, 1.0), 0.5),
    ("svd", (1.0, 1.0), None),
]


def first_user_text(record: dict) -> str:
    return next(m["content"] for m in record["messages"] if m["role"] == "user")


def user_texts(path: Path) -> set[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {first_user_text(row) for row in rows}


def fresh(records: list[dict], seen: set[str], n: int) -> list[dict]:
    return [r for r in records if first_user_text(r) not in seen][:n]


def example_generator(name: str):
    """examples/NAME/make_data.py as a module, loaded by path (both examples name their script make_data)."""
    spec = importlib.util.spec_from_file_location(f"{name}_make_data", ROOT / "examples" / name / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_sets(folder: Path, n: int) -> tuple[Path, Path]:
    """One dev file per task, drawn by each example's generator with a seed the bundled files do not use."""
    make_splits = example_generator("quickstart").make_splits
    record = example_generator("tool_use").record
    quick = ROOT / "examples" / "quickstart" / "data"
    seen = user_texts(quick / "train.jsonl") | user_texts(quick / "eval.jsonl")
    _, drawn = make_splits(0, 4 * n, seed=1013)
    quick_dev = fresh(drawn, seen, n)
    tools = ROOT / "examples" / "tool_use" / "data"
    seen = user_texts(tools / "train.jsonl") | user_texts(tools / "test.jsonl")
    rng = random.Random(1007)
    tool_dev = fresh([record(rng, with_result=False) for _ in range(4 * n)], seen, n)
    paths = folder / "quickstart_dev.jsonl", folder / "tool_use_dev.jsonl"
    for path, rows in zip(paths, (quick_dev, tool_dev)):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quickstart", type=Path, default=Path("runs/quickstart"))
    parser.add_argument("--tool-use", type=Path, default=Path("runs/tool_use"))
    parser.add_argument("--dev", type=int, default=30, help="records per dev set")
    args = parser.parse_args()

    from tunesmith.config import load_run_recipe
    from tunesmith.eval.run import evaluate
    from tunesmith.export.combine import Combination, combine_runs
    from tunesmith.models.loading import ModelSource, source_for
    from tunesmith.runs import RunDir

    runs = [args.quickstart, args.tool_use]
    configs = [load_run_recipe(RunDir(run).recipe).eval.model_copy(update={"forgetting_probe": False}) for run in runs]
    scratch = Path(tempfile.mkdtemp(prefix="combine-weights-"))
    devs = dev_sets(scratch, args.dev)
    print(f"command: python bench/combine_weights.py {' '.join(sys.argv[1:])}")
    print(f"dev sets: {args.dev} quickstart records (seed 1013), {args.dev} tool-use records (seed 1007)\n")
    print("| --combine | --weights | --density | field_accuracy | tool_call_accuracy | mean |")
    print("|---|---|---|---|---|---|")
    results = []  # the combinations only: a source alone is a reference, not a candidate
    for index, (rule, weights, density) in enumerate(CANDIDATES):
        how = Combination(name=rule, weights=list(weights), density=density)
        out = scratch / f"candidate-{index}"
        combine_runs(runs, out, how)
        found = source_for(out)
        model = ModelSource(base=found.base, adapter=found.adapter, label=f"{rule} {weights}")
        field = evaluate(model, devs[0], configs[0].model_copy(update={"limit": None})).metrics["field_accuracy"]
        tool = evaluate(model, devs[1], configs[1].model_copy(update={"limit": None})).metrics["tool_call_accuracy"]
        if all(weights):
            results.append(((field + tool) / 2, rule, weights, density))
        shown = ",".join(f"{w:g}" for w in weights)
        print(
            f"| {rule} | {shown} | {density or '—'} | {field:.3f} | {tool:.3f} | {(field + tool) / 2:.3f} |", flush=True
        )
    mean, rule, weights, density = max(results, key=lambda r: r[0])
    extra = f" --density {density}" if density else ""
    print(f"\nbest on dev: {rule} {','.join(f'{w:g}' for w in weights)}{extra} (mean {mean:.3f}); on the test files:")
    print(
        f"tunesmith export merge {args.quickstart} {args.tool_use} --out runs/quickstart_tool_use --combine {rule} "
        f"--weights {','.join(f'{w:g}' for w in weights)}{extra} --overwrite"
    )


if __name__ == "__main__":
    main()
