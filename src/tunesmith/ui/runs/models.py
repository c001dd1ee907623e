"""The Runs page's API shapes (`/ui/api/runs*`), so the OpenAPI schema documents every field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class MetricValue(BaseModel):
    """One score of an eval report, with its 95% interval where one applies."""

    name: str
    value: float | None
    low: float | None = Field(None, description="95% bootstrap interval over the examples, where it applies")
    high: float | None = None
    n: int | None = Field(None, description="examples the interval is over")
    lower_is_better: bool = False


class RunRow(BaseModel):
    """One run in the list: what it trained, how far it got, and its headline eval scores."""

    id: str = Field(description="the run's workspace-relative path: runs/NAME or jobs/JOB_ID/run")
    name: str
    job_id: str | None = None
    model: str
    method: str
    stage: str
    status: str = Field(description="finished | training | incomplete")
    created: float = Field(description="unix seconds: when the recipe was written")
    modified: float = Field(description="unix seconds: the newest metrics, summary or report")
    train_seconds: float | None = None
    steps: int | None = None
    metrics: list[MetricValue] = Field(default_factory=list, description="the run's headline eval scores")


class RunList(BaseModel):
    """`GET /ui/api/runs`: the runs that pass the filters, and every filter choice."""

    data: list[RunRow]
    methods: list[str] = Field(description="every method in the workspace (for the filter), before filtering")
    stages: list[str]
    models: list[str]


Point = tuple[float, float]


class Curves(BaseModel):
    """A run's curves by step, from its metrics.jsonl."""

    train_loss: list[Point] = Field(default_factory=list, description="[step, loss] pairs")
    eval_loss: list[Point] = Field(default_factory=list)
    learning_rate: list[Point] = Field(default_factory=list)


class EvalModel(BaseModel):
    """One model's column of an eval report."""

    label: str
    metrics: list[MetricValue]


class EvalReport(BaseModel):
    """An eval report (report.json and its predictions files) as the run view shows it."""

    folder: str = Field(description="workspace-relative folder of report.json")
    data: str = Field(description="the eval file")
    models: list[EvalModel] = Field(description="the base model first when compared with it; the run last")
    compared_with_base: bool
    score_name: str | None = Field(None, description="what each prediction's score is (a headline metric)")


class Prediction(BaseModel):
    """One eval example: the run's answer and score, and the base model's when compared."""

    index: int
    prompt: str
    reference: str
    prediction: str
    score: float | None = None
    baseline_prediction: str | None = None
    baseline_score: float | None = None


class PredictionPage(BaseModel):
    """A page of a report's predictions."""

    total: int
    offset: int
    limit: int
    data: list[Prediction]


class RunDetail(BaseModel):
    """`GET /ui/api/runs/detail`: everything the run view shows."""

    run: RunRow
    recipe_yaml: str
    recipe: dict[str, Any]
    summary: dict[str, Any] | None
    curves: Curves
    reports: list[str] = Field(description="workspace-relative folders in the run that hold an eval report")
    report: EvalReport | None
    predictions: PredictionPage


class CompareMetric(BaseModel):
    """One metric across the compared runs."""

    name: str
    lower_is_better: bool
    values: list[MetricValue | None] = Field(description="one per run, in the order asked; null: not reported")
    best: int | None = Field(None, description="index of the best run on this metric")


class DiffRow(BaseModel):
    """One recipe key whose value is not the same in every compared run."""

    key: str = Field(description="dotted recipe key, e.g. train.learning_rate")
    values: list[Any] = Field(description="the value in each run (null where the key is missing)")
    missing: list[bool]


class CompareCell(BaseModel):
    """One run's answer to one example."""

    prediction: str
    score: float | None = None


class CompareRow(BaseModel):
    """One example with every compared run's answer."""

    index: int
    prompt: str
    reference: str
    cells: list[CompareCell | None] = Field(description="one per run; null where that run has no such example")
    differ: bool


class ComparePredictions(BaseModel):
    """A page of the aligned predictions."""

    total: int
    differing: int
    offset: int
    limit: int
    only_differ: bool
    score_name: str | None
    data: list[CompareRow]


class RunCurves(BaseModel):
    """One compared run's curves, to overlay."""

    id: str
    name: str
    curves: Curves


class Comparison(BaseModel):
    """`GET /ui/api/runs/compare`: 2–4 runs side by side."""

    runs: list[RunRow]
    metrics: list[CompareMetric]
    curves: list[RunCurves]
    recipe_diff: list[DiffRow]
    predictions: ComparePredictions
