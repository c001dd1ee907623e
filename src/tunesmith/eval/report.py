"""Eval reports: `report.json`, `report.md` and per-model predictions, written atomically.

Each model's metrics keep their place (`models[i].metrics`, what other readers use); beside them `intervals` holds
each score's 95% bootstrap interval over examples, and when two or more models are compared, `paired` holds the
last minus the first per score on the same examples, with its paired-bootstrap interval and `tie`.
"""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.eval.intervals import paired
from tunesmith.eval.run import EvalResult
from tunesmith.eval.stats import RESAMPLES

LOWER_IS_BETTER = ("val_loss", "val_perplexity")


def paired_tests(results: list[EvalResult]) -> dict[str, dict]:
    """Per score: Δ (last minus first model) on the same examples, its 95% paired interval and `tie`; {} for one
    model."""
    return paired(results[0].samples, results[-1].samples) if len(results) >= 2 else {}


def comparison_rows(results: list[EvalResult], tests: dict[str, dict] | None = None) -> list[list[str]]:
    """Table rows: metric, one column per model (value and 95% interval), and Δ (last minus first) with its paired
    interval, or "tie" when that interval holds 0, when two or more are compared."""
    tests = paired_tests(results) if tests is None else tests
    names = list(dict.fromkeys(k for r in results for k in r.metrics))
    rows = []
    for name in names:
        values = [r.metrics.get(name) for r in results]
        row = [name, *(_with_interval(v, r.intervals.get(name)) for v, r in zip(values, results))]
        if len(results) >= 2:
            row.append(_delta(values[0], values[-1], tests.get(name)))
        rows.append(row)
    return rows


def header(results: list[EvalResult]) -> list[str]:
    return ["metric", *(r.label for r in results), *(["Δ"] if len(results) >= 2 else [])]


def write_report(results: list[EvalResult], out_dir: Path, data: Path) -> dict:
    """Write report.json, report.md and predictions-<i>.jsonl into `out_dir`; returns the JSON report."""
    tests = paired_tests(results)
    report = {
        "data": str(data),
        "models": [{"label": r.label, "metrics": r.metrics, "intervals": r.intervals} for r in results],
        "lower_is_better": list(LOWER_IS_BETTER),
        "interval": f"95% percentile bootstrap over examples, {RESAMPLES} resamples",
    }
    if len(results) >= 2:
        report["paired"] = {"first": results[0].label, "last": results[-1].label, "metrics": tests}
    write_text(out_dir / "report.json", json.dumps(report, indent=2, ensure_ascii=False))
    lines = ["| " + " | ".join(header(results)) + " |", "|" + "---|" * len(header(results))]
    lines += ["| " + " | ".join(row) + " |" for row in comparison_rows(results, tests)]
    md = f"# Evaluation on `{data}`\n\n" + "\n".join(lines) + "\n\n" + _legend(results) + "\n"
    write_text(out_dir / "report.md", md)
    for i, result in enumerate(results):
        text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in result.predictions)
        write_text(out_dir / f"predictions-{i}.jsonl", text)
        if result.probe_predictions:
            text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in result.probe_predictions)
            write_text(out_dir / f"probe-{i}.jsonl", text)
    return report


def _legend(results: list[EvalResult]) -> str:
    counts = sorted({i["n"] for r in results for i in r.intervals.values()})
    text = (
        "In brackets: 95% interval, a percentile bootstrap over the examples "
        f"({RESAMPLES} resamples; n = {', '.join(map(str, counts)) or '—'})."
    )
    if len(results) >= 2:
        text += (
            f" Δ: {results[-1].label} minus {results[0].label} on the same examples, with its paired-bootstrap "
            "interval; *tie* where that interval holds 0 (no difference these examples can show)."
        )
    return text


def _with_interval(value: float | None, found: dict | None) -> str:
    if value is None or not found:
        return _fmt(value)
    return f"{_fmt(value)} ({_fmt(found['low'])}–{_fmt(found['high'])})"


def _delta(first: float | None, last: float | None, test: dict | None) -> str:
    if None in (first, last):
        return "—"
    text = f"{last - first:+.3f}"
    if test:
        text += f" ({test['low']:+.3f} to {test['high']:+.3f})" + (" tie" if test["tie"] else "")
    return text


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
