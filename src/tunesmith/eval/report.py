"""Eval reports: `report.json`, `report.md` and per-model predictions, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.eval.run import EvalResult

LOWER_IS_BETTER = ("val_loss", "val_perplexity")


def comparison_rows(results: list[EvalResult]) -> list[list[str]]:
    """Table rows: metric, one column per model, and Δ (last minus first) when two or more are compared."""
    names = list(dict.fromkeys(k for r in results for k in r.metrics))
    rows = []
    for name in names:
        values = [r.metrics.get(name) for r in results]
        row = [name, *(_fmt(v) for v in values)]
        if len(results) >= 2:
            row.append("—" if None in (values[0], values[-1]) else f"{values[-1] - values[0]:+.3f}")
        rows.append(row)
    return rows


def header(results: list[EvalResult]) -> list[str]:
    return ["metric", *(r.label for r in results), *(["Δ"] if len(results) >= 2 else [])]


def write_report(results: list[EvalResult], out_dir: Path, data: Path) -> dict:
    """Write report.json, report.md and predictions-<i>.jsonl into `out_dir`; returns the JSON report."""
    report = {
        "data": str(data),
        "models": [{"label": r.label, "metrics": r.metrics} for r in results],
        "lower_is_better": list(LOWER_IS_BETTER),
    }
    write_text(out_dir / "report.json", json.dumps(report, indent=2, ensure_ascii=False))
    lines = ["| " + " | ".join(header(results)) + " |", "|" + "---|" * len(header(results))]
    lines += ["| " + " | ".join(row) + " |" for row in comparison_rows(results)]
    md = f"# Evaluation on `{data}`\n\n" + "\n".join(lines) + "\n"
    write_text(out_dir / "report.md", md)
    for i, result in enumerate(results):
        text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in result.predictions)
        write_text(out_dir / f"predictions-{i}.jsonl", text)
        if result.probe_predictions:
            text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in result.probe_predictions)
            write_text(out_dir / f"probe-{i}.jsonl", text)
    return report


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
