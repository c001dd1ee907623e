"""`tunesmith bench methods`: one recipe, once per fine-tuning method, on the same data and step budget.

Each method trains in its own process (so peak memory is its own), then is scored on the recipe's eval file.
Learning rates differ by method family, as they must (full fine-tuning diverges at LoRA's rate, soft prompts
barely move at it): each is the rate `learning_rate: auto` resolves to for that method and the recipe's model
(train/auto.py, the one home of those rates), printed with the table.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tunesmith.config import Recipe, load_recipe
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, read_jsonl

# label → method section. A method of the recipe's own kind keeps the recipe's other keys (so every LoRA variant
# has the recipe's r and alpha); another kind starts from that method's defaults.
METHOD_VARIANTS: dict[str, dict] = {
    "full": {"name": "full"},
    "freeze": {"name": "freeze", "trainable_layers": 4},
    "lora": {"name": "lora"},
    "dora": {"name": "lora", "use_dora": True},
    "rslora": {"name": "lora", "use_rslora": True},
    "pissa": {"name": "lora", "init_lora_weights": "pissa"},
    "lora+": {"name": "lora", "loraplus_lr_ratio": 16},
    "adalora": {"name": "adalora"},
    "vera": {"name": "vera"},
    "loha": {"name": "loha"},
    "lokr": {"name": "lokr"},
    "oft": {"name": "oft"},
    "boft": {"name": "boft"},
    "ia3": {"name": "ia3"},
    "ln_tuning": {"name": "ln_tuning"},
    "adapter": {"name": "adapter"},
    "prompt_tuning": {"name": "prompt_tuning"},
    "prefix_tuning": {"name": "prefix_tuning"},
    "p_tuning": {"name": "p_tuning"},
    "p_tuning_v2": {"name": "p_tuning_v2"},
}


@dataclass(frozen=True)
class MethodRow:
    """One method's figures (None where the run did not produce them)."""

    method: str
    learning_rate: float
    trainable: int | None = None
    trainable_pct: float | None = None
    seconds_per_step: float | None = None
    peak_rss_mib: float | None = None
    val_loss: float | None = None
    task_metric: float | None = None
    size_mib: float | None = None
    note: str = ""


def bench_methods(
    recipe_path: Path,
    methods: list[str],
    out_dir: Path,
    steps: int,
    eval_limit: int,
    metric: str,
    progress: Progress = SILENT,
) -> list[MethodRow]:
    """Train and score `recipe_path` once per method; returns one row each (failures become notes)."""
    unknown = [m for m in methods if m not in METHOD_VARIANTS]
    if unknown:
        raise InputError("--methods", f"unknown method(s) {unknown}; known: {', '.join(METHOD_VARIANTS)}")
    recipe = load_recipe(recipe_path)
    if recipe.eval.file is None:
        raise InputError(str(recipe_path), "the recipe needs an eval.file to score each method on")
    rows = []
    progress.start("bench methods", len(methods))
    for i, method in enumerate(methods):
        rows.append(_bench_one(recipe_path, recipe, method, out_dir, steps, eval_limit, metric))
        progress.update("bench methods", i + 1)
    progress.finish("bench methods")
    return rows


def _auto_rate(recipe: Recipe, method: str) -> float:
    """The learning rate `auto` gives `method` on the recipe's model and stage."""
    from tunesmith.models.resolve import resolve_model
    from tunesmith.models.size import parameter_count
    from tunesmith.train.auto import Workload, learning_rate

    parameters = parameter_count(resolve_model(recipe.model))
    return learning_rate(Workload(method, recipe.stage.name, parameters, examples=0))


def _bench_one(recipe_path, recipe: Recipe, method, out_dir, steps, eval_limit, metric) -> MethodRow:
    spec = METHOD_VARIANTS[method]
    lr = _auto_rate(recipe, spec["name"])
    own = recipe.method.model_dump(mode="json") if recipe.method.name == spec["name"] else {}
    name = "bench-" + method.replace("+", "plus")
    overrides = [
        f"method={json.dumps({**own, **spec})}",
        f"train.learning_rate={lr}",
        f"train.max_steps={steps}",
        f"train.eval_steps={steps}",
        f"eval.limit={eval_limit}",
        "eval.baseline=false",
        "eval.forgetting_probe=false",
        f"output.dir={out_dir}",
        f"output.name={name}",
    ]
    command = [sys.executable, "-m", "tunesmith", "train", str(recipe_path), *overrides, "--overwrite"]
    probe = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(r.stdout[-2000:] + r.stderr[-2000:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True)
    if done.returncode != 0:
        reason = next((ln for ln in reversed(done.stderr.splitlines()) if ln.startswith("error:")), "failed")
        return MethodRow(method, lr, note=reason.removeprefix("error: ")[:120])
    run = RunDir(out_dir / name)
    summary = json.loads(run.summary.read_text())
    rows = read_jsonl(run.metrics)
    times = [r["time"] for r in rows if "loss" in r and "time" in r]
    evals = [r["eval_loss"] for r in rows if "eval_loss" in r]
    report = json.loads((run.eval_dir / "report.json").read_text())
    return MethodRow(
        method=method,
        learning_rate=lr,
        trainable=summary["trainable_params"],
        trainable_pct=100 * summary["trainable_params"] / summary["total_params"],
        seconds_per_step=_per_step(times, rows),
        peak_rss_mib=int(done.stdout.strip().splitlines()[-1]) / 1024,
        val_loss=evals[-1] if evals else None,
        task_metric=report["models"][-1]["metrics"].get(metric),
        size_mib=sum(f.stat().st_size for f in run.final.rglob("*") if f.is_file()) / 2**20,
    )


def _per_step(times: list[float], rows: list[dict]) -> float | None:
    """Median seconds per optimizer step between consecutive training logs."""
    steps = [r["step"] for r in rows if "loss" in r and "time" in r]
    gaps = [(t2 - t1) / (s2 - s1) for t1, t2, s1, s2 in zip(times, times[1:], steps, steps[1:]) if s2 > s1]
    return statistics.median(gaps) if gaps else None


def markdown_table(rows: list[MethodRow], metric: str) -> str:
    """The comparison as a markdown table (what `tunesmith bench methods` writes to results.md)."""
    head = f"| method | lr | trainable | % | s/step | peak RSS MiB | val loss | {metric} | size MiB | note |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        cells = [
            r.method,
            f"{r.learning_rate:g}",
            _num(r.trainable, "{:,}"),
            _num(r.trainable_pct, "{:.3f}"),
            _num(r.seconds_per_step, "{:.2f}"),
            _num(r.peak_rss_mib, "{:,.0f}"),
            _num(r.val_loss, "{:.4f}"),
            _num(r.task_metric, "{:.3f}"),
            _num(r.size_mib, "{:.2f}"),
            r.note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _num(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)
