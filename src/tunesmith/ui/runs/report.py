"""A run's eval report as the pages show it: each model's metrics with 95% intervals, and its predictions scored.

`tunesmith eval` and `tunesmith train` write `report.json` (each model's metrics: the base first when the run was
compared with it, the run last) and `predictions-<i>.jsonl` beside it. The report holds means only, so the
interval of a task score is a percentile bootstrap over the per-example scores (the arena's `interval`), shown
only where those scores average to the reported number (not for corpus BLEU or macro F1, say).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tunesmith.arena.score import interval
from tunesmith.eval import metrics as metric_fns
from tunesmith.runs import RunDir, read_jsonl

REPORT = "report.json"
TOLERANCE = 1e-6
BY_HEADLINE = {score: metric for metric, score in metric_fns.HEADLINE.items()}  # exact_match → exact_match, …


@dataclass
class Score:
    """One reported score; `low`/`high`/`n` only where the examples reproduce it."""

    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    lower_is_better: bool = False


@dataclass
class ModelReport:
    """One model's part of a report: its label, metrics and scored predictions (same order as the eval file)."""

    label: str
    scores: list[Score]
    predictions: list[dict] = field(default_factory=list)  # prompt, reference, prediction, score
    score_name: str | None = None  # the per-example score's metric (the first task metric's headline)


@dataclass
class Report:
    """A report folder: the models it scored (base first when compared), in the report's order."""

    folder: Path
    data: str
    models: list[ModelReport]

    @property
    def run(self) -> ModelReport:
        """The evaluated run: last in the report (after its base model, when compared)."""
        return self.models[-1]

    @property
    def baseline(self) -> ModelReport | None:
        """The base model, when the run was compared with it."""
        return self.models[0] if len(self.models) >= 2 else None


def report_folders(run: RunDir) -> list[Path]:
    """Folders in the run holding a report, newest first: `eval/` (what training wrote), `evals/<task id>/` (an
    Evaluate task's) and any other `tunesmith eval --out RUN/x`."""
    found = {p.parent for pattern in (f"*/{REPORT}", f"evals/*/{REPORT}") for p in run.root.glob(pattern)}
    return sorted(found, key=lambda p: ((p / REPORT).stat().st_mtime, p.name), reverse=True)


def default_report(run: RunDir) -> Path | None:
    """The newest report: an evaluation run again later replaces the one training wrote."""
    folders = report_folders(run)
    return folders[0] if folders else None


def read_report(folder: Path) -> Report | None:
    """The report in `folder` (None if it has none or it does not parse), cached until its files change."""
    path = folder / REPORT
    if not path.is_file():
        return None
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.json*")))
    return _read(str(folder), stamp)


@lru_cache(maxsize=64)
def _read(folder: str, stamp: tuple) -> Report | None:
    try:
        raw = json.loads((Path(folder) / REPORT).read_text(encoding="utf-8"))
        entries = raw["models"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        return None  # not a report tunesmith wrote
    lower = set(raw.get("lower_is_better", []))
    models = []
    for i, entry in enumerate(entries):
        rows = read_jsonl(Path(folder) / f"predictions-{i}.jsonl")
        metrics = entry.get("metrics")
        metrics = metrics if isinstance(metrics, dict) else {}
        models.append(model_report(str(entry.get("label", f"model {i}")), metrics, rows, lower))
    return Report(Path(folder), str(raw.get("data", "")), models)


def model_report(label: str, metrics: dict[str, float], rows: list[dict], lower: set[str]) -> ModelReport:
    """Scores with intervals where per-example scores reproduce them; each prediction's own headline score."""
    preds = [str(r.get("prediction", "")) for r in rows]
    refs = [str(r.get("reference", "")) for r in rows]
    fields = [k.split("/", 1)[1] for k in metrics if k.startswith("field_accuracy/")] or None
    per_metric: dict[str, list[float]] = {}
    for metric in (BY_HEADLINE[name] for name in metrics if name in BY_HEADLINE and rows):
        try:
            per_metric[metric] = metric_fns.per_example(metric, preds, refs, json_fields=fields)
        except Exception:  # noqa: BLE001 - a reference the metric cannot read: no interval, not a failure
            continue
    scores = []
    for name, value in metrics.items():
        score = Score(name, value if isinstance(value, (int, float)) else None, lower_is_better=name in lower)
        metric = BY_HEADLINE.get(name)
        if metric in per_metric and score.value is not None:
            found = interval(per_metric[metric])
            if found["n"] and abs(found["mean"] - score.value) <= TOLERANCE:
                score.low, score.high, score.n = found["low"], found["high"], found["n"]
        scores.append(score)
    first = next(iter(per_metric), None)
    predictions = [
        {
            "prompt": _text(r.get("prompt")),
            "reference": refs[i],
            "prediction": preds[i],
            "score": per_metric[first][i] if first else None,
        }
        for i, r in enumerate(rows)
    ]
    return ModelReport(label, scores, predictions, metric_fns.HEADLINE[first] if first else None)


def _text(value) -> str:
    """A prompt as text (a multimodal message's content is a list of parts)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in value)
    return "" if value is None else str(value)
