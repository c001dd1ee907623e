"""Repeated runs: each metric's mean ± spread over the runs `tunesmith train --seeds N` trained, one per seed.

The runs live in one folder, `<output.dir>/<name>-seeds/seed-<seed>/`, each an ordinary run directory. Evaluation
decodes greedily (no sampling), so scoring one model again gives the same numbers: what varies between repeats is
training (data order, initialisation, the validation split), and `tunesmith eval FOLDER --seeds N` scores those
N runs. The summary gives per metric the mean, the sample standard deviation (n − 1) and the min–max.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.config import EvalConfig, load_run_recipe
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, is_run_dir

PREFIX = "seed-"
SUMMARY = "seeds.json"
SUMMARY_MD = "seeds.md"
GREEDY = (
    "evaluation decodes greedily, so scoring one model N times gives N identical numbers; --seeds N scores the N "
    "runs `tunesmith train RECIPE --seeds N` trained: give their folder (runs/<name>-seeds)"
)


def seed_of(run: Path) -> int | None:
    """The seed a `seed-<seed>` run folder was trained with (None: not one)."""
    suffix = run.name.removeprefix(PREFIX)
    return int(suffix) if run.name.startswith(PREFIX) and suffix.lstrip("-").isdigit() else None


def seed_runs(folder: Path) -> list[Path]:
    """The run directories in a seeds folder, by seed."""
    found = [p for p in Path(folder).glob(f"{PREFIX}*") if seed_of(p) is not None and is_run_dir(p)]
    return sorted(found, key=seed_of)


def chosen_runs(folder: Path, n: int) -> list[Path]:
    """The first `n` seed runs of `folder`; an InputError where it is a single model or holds fewer."""
    if n < 1:
        raise InputError("--seeds", f"expected 1 or more runs, got {n}")
    runs = seed_runs(folder)
    if not runs:
        raise InputError(str(folder), GREEDY)
    if len(runs) < n:
        raise InputError(str(folder), f"holds {len(runs)} seed runs, fewer than --seeds {n}; train the rest first")
    return runs[:n]


def seeds_eval_config(folder: Path) -> EvalConfig:
    """The eval section of the first seed run's recipe (every seed run shares it)."""
    return load_run_recipe(RunDir(seed_runs(folder)[0]).recipe).eval


def evaluate_seeds(folder: Path, n: int, data: Path, cfg: EvalConfig, out: Path, progress: Progress = SILENT) -> dict:
    """Score each of the first `n` seed runs alone (report in `out/seed-<seed>/`) and write the summary to `out`."""
    from tunesmith.eval.compare import compare

    entries = []
    for run in chosen_runs(folder, n):
        results, _ = compare(run, data, cfg, out / run.name, baseline=False, progress=progress)
        entries.append({"seed": seed_of(run), "run": str(run), "metrics": results[-1].metrics})
    return write_summary(out, entries, f"tunesmith eval on {data}")


def spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (None for one value), min and max."""
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) >= 2 else None
    return {"mean": mean, "std": std, "min": min(values), "max": max(values), "n": len(values)}


def summarize(entries: list[dict]) -> dict[str, dict]:
    """Each metric's spread over the runs that report it (non-numbers left out)."""
    names = dict.fromkeys(k for e in entries for k in e["metrics"])
    found = {}
    for name in names:
        values = [e["metrics"][name] for e in entries if _number(e["metrics"].get(name))]
        if values:
            found[name] = spread([float(v) for v in values])
    return found


def write_summary(out: Path, entries: list[dict], what: str) -> dict:
    """`seeds.json` (every run's metrics and each metric's spread) and `seeds.md` in `out`; returns the JSON."""
    summary = {"what": what, "seeds": [e["seed"] for e in entries], "runs": entries, "metrics": summarize(entries)}
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / SUMMARY, json.dumps(summary, indent=2, ensure_ascii=False))
    head = summary_header(summary)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in summary_rows(summary)]
    legend = f"{len(entries)} runs, one per seed; std: sample standard deviation (n − 1)."
    write_text(out / SUMMARY_MD, f"# Repeated runs: {what}\n\n" + "\n".join(lines) + f"\n\n{legend}\n")
    return summary


def summary_header(summary: dict) -> list[str]:
    return ["metric", "mean ± std", "min–max", *(f"seed {s}" for s in summary["seeds"])]


def summary_rows(summary: dict) -> list[list[str]]:
    """Table rows: metric, mean ± std, min–max, then each run's value."""
    rows = []
    for name, found in summary["metrics"].items():
        std = "—" if found["std"] is None else f"{found['std']:.3f}"
        per_run = [_fmt(e["metrics"].get(name)) for e in summary["runs"]]
        rows.append([name, f"{found['mean']:.3f} ± {std}", f"{found['min']:.3f}–{found['max']:.3f}", *per_run])
    return rows


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(value) -> str:
    return f"{value:.3f}" if _number(value) else "—"
