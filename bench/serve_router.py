"""`serve --router` on two adapters: routing accuracy and the end-task score against an oracle and single adapters.

    nice -n 5 python bench/serve_router.py [--quickstart runs/quickstart] [--tool-use runs/tool_use]
                                            [--limit N] [--batch-size 16] [--threads 1] [--save PRED.json]

The router (tunesmith.serve.router, as `serve --router` fits it, with a fresh cache) learns from each run's training
prompts; every test example of both tasks (each run's `eval.file`: quickstart's eval.jsonl, 200 records; tool_use's
test.jsonl, 60) is routed by its last user message, as a `model: "auto"` request is. Routing accuracy is the share
sent to the adapter trained on that task (Wilson 95%), for the classifier the router chose and for each classifier
refitted alone. For the end-task score every example is answered greedily (each recipe's `eval.max_new_tokens`) by
the base, the quickstart adapter and the tool_use adapter, with tunesmith.eval's generation; each arm then takes, per
example, the answer of the model it would send that request to (router: its pick; oracle: the task's adapter;
always-X: X). Routing is per request and generation greedy, so this equals answering routed requests one by one.
Scores are tunesmith.eval.metrics' (json field_accuracy and exact_match over each recipe's `eval.json_fields`;
tool_call_accuracy) with bootstrap 95% intervals over examples (1000 resamples, seed 0); exact_match and
tool_call_accuracy are per-example 0/1, so their intervals are Wilson's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tunesmith.config import load_run_recipe
from tunesmith.eval import metrics as metric_fns
from tunesmith.eval.run import eval_examples
from tunesmith.rag.evaluate import wilson
from tunesmith.serve.router import CLASSIFIERS, AdapterRouter, RouterSettings
from tunesmith.serve.router_requests import routing_text
from tunesmith.serve.schemas import ChatCompletionRequest

TASKS = ("quickstart", "tool_use")


def task_specs(args) -> dict[str, dict]:
    """Each task's adapter run, eval file, metrics and examples (from its run's recipe)."""
    specs = {}
    for name, run in (("quickstart", args.quickstart), ("tool_use", args.tool_use)):
        recipe = load_run_recipe(Path(run) / "recipe.yaml")
        examples = eval_examples(Path(recipe.eval.file), args.limit)
        specs[name] = {"run": Path(run), "recipe": recipe, "examples": examples, "base": recipe.model}
    return specs


def last_user(conversation: list[dict]) -> str:
    """What the router reads from this conversation sent as a chat request (the server's own function)."""
    return routing_text(ChatCompletionRequest(model="auto", messages=conversation))


def route_all(specs: dict, cache: Path) -> tuple[AdapterRouter, float, dict[str, list], dict[str, dict]]:
    """Fit the router as the server does: it, the seconds that took, each test example's Route, and how many
    examples of each task each classifier alone sends to the right adapter."""
    from tunesmith.data.embed import embed

    router = AdapterRouter("base", RouterSettings(cache_dir=cache))
    started = time.perf_counter()
    router.set_adapters({name: spec["run"] / "final" for name, spec in specs.items()})
    fit_seconds = time.perf_counter() - started
    routes = {task: [router.route(last_user(p)) for p in spec["examples"].prompts] for task, spec in specs.items()}
    fitted = router.router
    by_kind = {}
    for kind, fit_kind in CLASSIFIERS.items():
        w, b = fit_kind(fitted.examples, fitted.labels, len(fitted.names))
        by_kind[kind] = {}
        for task, spec in specs.items():
            vectors = embed([last_user(p) for p in spec["examples"].prompts])
            chosen = np.argmax(vectors @ w.T + b, axis=1)
            by_kind[kind][task] = float(np.sum([fitted.names[i] == task for i in chosen]))
    return router, fit_seconds, routes, by_kind


def fallback_table(router: AdapterRouter, in_task: list[float], thresholds=(0.3, 0.4, 0.5, 0.6)) -> None:
    """With `--router-fallback`: at each `--router-min-similarity`, the test requests still sent to an adapter and
    the off-task requests (the instruction-following probe's general prompts, unlike both tasks) sent to the
    fallback."""
    from tunesmith.eval.probe import load_probe

    off = [router.route(item["prompt"]).similarity for item in load_probe()]
    print("## Fallback threshold (`--router-fallback`)\n")
    print("| --router-min-similarity | test requests kept on their adapter | off-task requests sent to the fallback |")
    print("| --- | --- | --- |")
    for t in thresholds:
        kept = sum(s >= t for s in in_task)
        caught = sum(s < t for s in off)
        print(f"| {t} | {_rate(kept, len(in_task))} | {_rate(caught, len(off))} |")
    print(f"\nOff-task prompts: the {len(off)} prompts of tunesmith's instruction-following probe.\n")


def generate_all(specs: dict, args) -> dict[str, dict[str, list[str]]]:
    """Every test example answered by the base and by each adapter: {model: {task: predictions}}."""
    from tunesmith.models.generate import generate
    from tunesmith.models.loading import load_for_inference, source_for

    if args.save and Path(args.save).is_file():
        return json.loads(Path(args.save).read_text())
    base = specs["quickstart"]["base"]
    sources = {"base": source_for(base)} | {task: source_for(spec["run"]) for task, spec in specs.items()}
    answers: dict[str, dict[str, list[str]]] = {}
    for model, source in sources.items():
        loaded, tokenizer = load_for_inference(source)
        answers[model] = {}
        for task, spec in specs.items():
            ex, cfg = spec["examples"], spec["recipe"].eval
            started = time.perf_counter()
            answers[model][task] = generate(
                loaded, tokenizer, ex.prompts, cfg.max_new_tokens, args.batch_size, tools=ex.tools
            )
            print(f"{model} on {task}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        del loaded
    if args.save:
        Path(args.save).write_text(json.dumps(answers, ensure_ascii=False))
    return answers


def per_example(task: str, spec: dict, preds: list[str]) -> dict[str, list[float]]:
    """Per-example scores (their means are the eval's scores: every example has the same fields)."""
    cfg, refs = spec["recipe"].eval, spec["examples"].references
    if task == "quickstart":
        fields = [metric_fns.json_fields([p], [r], cfg.json_fields)["field_accuracy"] for p, r in zip(preds, refs)]
        exact = [metric_fns.exact_match([p], [r])["exact_match"] for p, r in zip(preds, refs)]
        whole = metric_fns.compute(cfg.metrics, preds, refs, json_fields=cfg.json_fields)
        assert abs(np.mean(fields) - whole["field_accuracy"]) < 1e-9  # the eval's own number, per example
        return {"field_accuracy": fields, "exact_match": exact}
    calls = [metric_fns.tool_call([p], [r])["tool_call_accuracy"] for p, r in zip(preds, refs)]
    assert abs(np.mean(calls) - metric_fns.tool_call(preds, refs)["tool_call_accuracy"]) < 1e-9
    return {"tool_call_accuracy": calls}


def bootstrap(values: list[float], seed: int = 0, resamples: int = 1000) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of the mean."""
    rng = np.random.default_rng(seed)
    data = np.asarray(values)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def cell(values: list[float], binary: bool) -> str:
    mean = float(np.mean(values))
    low, high = wilson(sum(values), len(values)) if binary else bootstrap(values)
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quickstart", default="runs/quickstart")
    parser.add_argument("--tool-use", default="runs/tool_use")
    parser.add_argument("--limit", type=int, default=None, help="first N test examples of each task")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--save", default=None, help="keep (or reuse) the generated answers in this JSON file")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    specs = task_specs(args)
    with tempfile.TemporaryDirectory() as cache:
        router, fit_seconds, routes, by_kind = route_all(specs, Path(cache))
    picks = {task: [r.model for r in found] for task, found in routes.items()}
    fitted = router.router
    print("## Routing accuracy\n")
    sizes = {task: len(spec["examples"].prompts) for task, spec in specs.items()}
    total = sum(sizes.values())
    print("| classifier | quickstart | tool_use | both |\n| --- | --- | --- | --- |")
    for kind, right in by_kind.items():
        chosen = " (the router's choice)" if kind == fitted.kind else ""
        cells = [_rate(right[t], sizes[t]) for t in TASKS] + [_rate(sum(right.values()), total)]
        print(f"| {kind}{chosen} | " + " | ".join(cells) + " |")
    served = [sum(p == t for p in picks[t]) for t in TASKS]
    print(f"| router as served | {_rate(served[0], sizes['quickstart'])} | {_rate(served[1], sizes['tool_use'])} | "
          f"{_rate(sum(served), total)} |")  # fmt: skip
    held = ", ".join(f"{k} {v:.3f}" for k, v in fitted.held_out.items())
    print(f"\nTraining prompts: {len(fitted.examples)} ({', '.join(fitted.names)}); held-out accuracy while choosing: "
          f"{held}; fit, embedding included (other jobs on the machine): {fit_seconds:.1f} s.\n")  # fmt: skip
    fallback_table(router, [r.similarity for found in routes.values() for r in found])
    answers = generate_all(specs, args)
    arms = {
        "router": lambda task, i: picks[task][i],
        "oracle": lambda task, i: task,
        "always quickstart": lambda task, i: "quickstart",
        "always tool_use": lambda task, i: "tool_use",
        "base": lambda task, i: "base",
    }
    print("## End-task score\n")
    print("| arm | quickstart field_accuracy | quickstart exact_match | tool_use tool_call_accuracy |")
    print("| --- | --- | --- | --- |")
    for arm, pick in arms.items():
        row = []
        for task in TASKS:
            preds = [answers[pick(task, i)][task][i] for i in range(sizes[task])]
            for metric, values in per_example(task, specs[task], preds).items():
                row.append(cell(values, binary=metric != "field_accuracy"))
        print(f"| {arm} | " + " | ".join(row) + " |")
    print(f"\nModel {specs['quickstart']['base']}, greedy, batch {args.batch_size}, {args.threads} thread(s); "
          f"n = {sizes['quickstart']} quickstart, {sizes['tool_use']} tool_use test examples.")  # fmt: skip


def _rate(right: float, n: int) -> str:
    low, high = wilson(right, n)
    return f"{right / n:.3f} [{low:.3f}, {high:.3f}] ({int(right)}/{n})"


if __name__ == "__main__":
    main()
