"""Score a combined run beside its sources: on each source run's own eval task, and on the forgetting probe.

A combination is worth keeping when it holds each source's task score and the general skills the probe checks; the
report puts the combined model in the same table as every source, on the same examples, so the cost is visible.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.config import EvalConfig, load_run_recipe
from tunesmith.eval.run import evaluate
from tunesmith.export.combine_sources import COMBINED_LABEL
from tunesmith.models.loading import ModelSource, load_for_inference, source_for
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir

REPORT_JSON = "combine_report.json"
REPORT_MD = "combine_report.md"


@dataclass
class TaskScores:
    """Every model's scores on one source run's eval file (that run's metrics, eval settings and `limit`)."""

    run: str  # the label of the run whose task this is
    data: str
    scores: dict[str, dict[str, float]]  # model label -> metrics


@dataclass
class CombineEval:
    """The sources and the combined model (last) on each source's task, and on the forgetting probe."""

    models: list[str]
    tasks: list[TaskScores] = field(default_factory=list)
    probe: dict[str, dict[str, float]] = field(default_factory=dict)  # model label -> probe metrics; {}: not run
    skipped: list[str] = field(default_factory=list)  # source runs whose recipe names no eval file


def evaluate_combination(
    combined: Path,
    sources: list[tuple[str, Path]],
    limit: int | None = None,
    probe: bool = True,
    progress: Progress = SILENT,
) -> CombineEval:
    """Evaluate every source run and the combined run on each source's eval file (its first `limit` examples, or
    its recipe's limit), then on the forgetting probe (capped by `limit` too) when `probe`."""
    models = [_labelled(run, label, progress) for label, run in sources]
    models.append(_labelled(combined, COMBINED_LABEL, progress))
    result = CombineEval(models=[m.label for m in models])
    batch_size = 16
    for label, run in sources:
        cfg = load_run_recipe(RunDir(run).recipe).eval
        if cfg.file is None:
            result.skipped.append(label)
            continue
        cfg = cfg.model_copy(update={"limit": limit or cfg.limit, "forgetting_probe": False})
        batch_size = cfg.batch_size
        scores = {m.label: evaluate(m, cfg.file, cfg, progress).metrics for m in models}
        result.tasks.append(TaskScores(label, str(cfg.file), scores))
    if probe:
        from tunesmith.eval.probe import model_cache_key, probe_size, run_probe

        first = probe_size(limit, EvalConfig.model_fields["probe_limit"].default)  # as an eval's default probe
        for source in models:
            model, tokenizer = load_for_inference(source)
            key = model_cache_key(source)
            result.probe[source.label], _ = run_probe(
                model, tokenizer, batch_size, progress, first, source.label, cache_key=key
            )
    return result


def tables(result: CombineEval) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) per task and for the probe: one column per model; on a task, Δ is the combined model
    minus the run that owns the task."""
    out = []
    for task in result.tasks:
        header = ["metric", *result.models, f"Δ vs {task.run}"]
        rows = []
        for metric in dict.fromkeys(k for scores in task.scores.values() for k in scores):
            values = [task.scores[m].get(metric) for m in result.models]
            own, mixed = task.scores[task.run].get(metric), task.scores[COMBINED_LABEL].get(metric)
            delta = "—" if own is None or mixed is None else f"{mixed - own:+.3f}"
            rows.append([metric, *map(_fmt, values), delta])
        out.append((f"{task.run}'s task ({Path(task.data).name})", header, rows))
    if result.probe:
        metrics = dict.fromkeys(k for scores in result.probe.values() for k in scores)
        rows = [[metric, *(_fmt(result.probe[m].get(metric)) for m in result.models)] for metric in metrics]
        out.append(("Forgetting probe", ["metric", *result.models], rows))
    return out


def write_combine_report(out_dir: Path, result: CombineEval, made: dict) -> tuple[Path, Path]:
    """`combine_report.json` and `combine_report.md` in `out_dir` (atomically)."""
    report = {"made": made, **asdict(result), "lower_is_better": ["val_loss", "val_perplexity"]}
    json_path, md_path = Path(out_dir) / REPORT_JSON, Path(out_dir) / REPORT_MD
    write_text(json_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    weights = ", ".join(f"{label} {w:g}" for label, w in zip(result.models, made["weights"]))
    lines = [f"# Combined adapter: {made['combination']} ({weights})", ""]
    for title, header, rows in tables(result):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows] + [""]
    if result.skipped:
        lines.append(f"Not scored (no eval file in their recipe): {', '.join(result.skipped)}.")
    write_text(md_path, "\n".join(lines).rstrip() + "\n")
    return json_path, md_path


def _labelled(run: Path, label: str, progress: Progress) -> ModelSource:
    found = source_for(run, progress)
    return ModelSource(base=found.base, adapter=found.adapter, label=label)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
