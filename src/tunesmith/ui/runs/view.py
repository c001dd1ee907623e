"""One run as the Runs page shows it: its list row, its curves, and the detail view (recipe, summary, report)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tunesmith.runs import RunDir, read_jsonl
from tunesmith.ui.runs.index import FoundRun, find_run, find_runs, read_recipe, scrub, status_of, times_of
from tunesmith.ui.runs.models import (
    Curves,
    EvalModel,
    EvalReport,
    MetricValue,
    Prediction,
    PredictionPage,
    RunDetail,
    RunList,
    RunRow,
)
from tunesmith.ui.runs.report import BY_HEADLINE, Report, Score, default_report, read_report, report_folders
from tunesmith.ui.workspace import OutsideWorkspace, Workspace

HEADLINE_EXTRA = ("val_loss",)


@dataclass(frozen=True)
class Filters:
    """The list's filters (empty: any); text matches path, name, model, method or stage."""

    q: str = ""
    method: str = ""
    stage: str = ""
    status: str = ""
    model: str = ""

    def keep(self, row: RunRow) -> bool:
        text = self.q.strip().casefold()
        if text and not any(text in s.casefold() for s in (row.id, row.name, row.model, row.method, row.stage)):
            return False
        wanted = {"method": self.method, "stage": self.stage, "status": self.status, "model": self.model}
        return all(not value or getattr(row, key) == value for key, value in wanted.items())


def list_runs(space: Workspace, filters: Filters, active_jobs: set[str]) -> RunList:
    """Every run's row, newest first, filtered; the filter choices come from all of them."""
    rows = sorted((run_row(space, f, active_jobs) for f in find_runs(space)), key=lambda r: -r.modified)
    return RunList(
        data=[r for r in rows if filters.keep(r)],
        methods=sorted({r.method for r in rows if r.method}),
        stages=sorted({r.stage for r in rows if r.stage}),
        models=sorted({r.model for r in rows if r.model}),
    )


def run_row(space: Workspace, found: FoundRun, active_jobs: set[str]) -> RunRow:
    """A run's list row (recipe, summary or metrics, newest report)."""
    run = found.run
    _, recipe = read_recipe(run)
    summary = read_summary(run)
    created, modified = times_of(run)
    steps = summary.get("steps") if summary else None
    if steps is None:
        steps = max((int(r["step"]) for r in read_jsonl(run.metrics) if "step" in r), default=None)
    folder = default_report(run)
    report = read_report(folder) if folder else None
    headline = [s for s in report.run.scores if s.name in BY_HEADLINE or s.name in HEADLINE_EXTRA] if report else []
    return RunRow(
        id=found.id,
        name=found.name if found.job_id else str(_get(recipe, "output", "name") or found.name),
        job_id=found.job_id,
        model=scrub(str(recipe.get("model") or ""), space),
        method=_name(recipe.get("method")),
        stage=_name(recipe.get("stage")) or "sft",
        status=status_of(found, active_jobs),
        created=created,
        modified=modified,
        train_seconds=summary.get("train_seconds") if summary else None,
        steps=steps,
        metrics=[metric_value(s) for s in headline],
    )


def run_detail(
    space: Workspace, given: str, report_at: str | None, offset: int, limit: int, active_jobs: set[str]
) -> RunDetail:
    """Everything the run view shows; `report_at` picks another report folder (a task's output, say)."""
    found = find_run(space, given)
    text, recipe = read_recipe(found.run)
    folder = report_folder(space, found.run, report_at)
    report = read_report(folder) if folder else None
    summary = read_summary(found.run)
    return RunDetail(
        run=run_row(space, found, active_jobs),
        recipe_yaml=scrub(text, space),
        recipe=scrub(recipe, space),
        summary=scrub(summary, space) if summary else None,
        curves=curves(found.run),
        reports=[space.relative(p) for p in report_folders(found.run)],
        report=eval_report(space, report) if report else None,
        predictions=prediction_page(report, offset, limit),
    )


def report_folder(space: Workspace, run: RunDir, report_at: str | None) -> Path | None:
    """The run's own report, or the folder asked for when it holds one (confined: else the same not-found)."""
    if not report_at:
        return default_report(run)
    try:
        folder = space.resolve(report_at)
    except OutsideWorkspace:
        raise ReportNotFound(report_at) from None
    if not (folder / "report.json").is_file():
        raise ReportNotFound(report_at)
    return folder


class ReportNotFound(LookupError):
    """A `report` folder that is missing, outside the workspace or holds no report.json."""

    def __init__(self, given: str):
        super().__init__(f"No eval report (report.json) in the workspace at {given!r}.")


def read_summary(run: RunDir) -> dict | None:
    """summary.json (written when the run finished), or None."""
    try:
        found = json.loads(run.summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def curves(run: RunDir) -> Curves:
    """Train loss, eval loss and learning rate by step, from metrics.jsonl (the trainer's own logs)."""
    found = Curves()
    for row in read_jsonl(run.metrics):
        step = row.get("step")
        if not isinstance(step, (int, float)):
            continue
        for key, series in (("loss", found.train_loss), ("eval_loss", found.eval_loss)):
            if isinstance(row.get(key), (int, float)):
                series.append((step, row[key]))
        if isinstance(row.get("learning_rate"), (int, float)) and "loss" in row:
            found.learning_rate.append((step, row["learning_rate"]))
    return found


def eval_report(space: Workspace, report: Report) -> EvalReport:
    """A report in the API's shape, with no server path in it."""
    return EvalReport(
        folder=space.relative(report.folder),
        data=scrub(report.data, space),
        models=[
            EvalModel(label=scrub(m.label, space), metrics=[metric_value(s) for s in m.scores]) for m in report.models
        ],
        compared_with_base=report.baseline is not None,
        score_name=report.run.score_name,
    )


def prediction_page(report: Report | None, offset: int, limit: int) -> PredictionPage:
    """The run's predictions from `offset`, with the base model's beside each when the report compared them."""
    if report is None:
        return PredictionPage(total=0, offset=offset, limit=limit, data=[])
    rows, base = report.run.predictions, report.baseline
    page = []
    for i in range(offset, min(offset + limit, len(rows))):
        before = base.predictions[i] if base is not None and i < len(base.predictions) else None
        page.append(
            Prediction(
                index=i,
                **rows[i],
                baseline_prediction=before["prediction"] if before else None,
                baseline_score=before["score"] if before else None,
            )
        )
    return PredictionPage(total=len(rows), offset=offset, limit=limit, data=page)


def metric_value(score: Score) -> MetricValue:
    return MetricValue(
        name=score.name,
        value=score.value,
        low=score.low,
        high=score.high,
        n=score.n,
        lower_is_better=score.lower_is_better,
    )


def _get(recipe: dict, *keys: str):
    value = recipe
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _name(section) -> str:
    """A recipe section's `name` (a section may also be written as its bare name)."""
    if isinstance(section, dict):
        return str(section.get("name") or "")
    return str(section or "")
