"""Compare 2–4 runs: their metrics with intervals, curves to overlay, what their recipes set differently, and
their predictions side by side, aligned on the same example (same prompt, counted in order when it repeats)."""

from __future__ import annotations

import json
from typing import Any

from tunesmith.ui.runs.index import FoundRun, find_run, read_recipe, scrub
from tunesmith.ui.runs.models import (
    CompareCell,
    CompareMetric,
    ComparePredictions,
    CompareRow,
    Comparison,
    DiffRow,
    RunCurves,
)
from tunesmith.ui.runs.report import ModelReport, default_report, read_report
from tunesmith.ui.runs.view import curves, metric_value, run_row
from tunesmith.ui.workspace import Workspace

MIN_RUNS, MAX_RUNS = 2, 4


class BadComparison(ValueError):
    """The ids do not name 2–4 different runs (the message says which way)."""


def parse_ids(ids: str) -> list[str]:
    """The comma-separated ids, 2 to 4 of them (BadComparison otherwise)."""
    given = [i.strip() for i in ids.split(",") if i.strip()]
    if not MIN_RUNS <= len(given) <= MAX_RUNS:
        raise BadComparison(f"compare needs {MIN_RUNS} to {MAX_RUNS} runs (comma-separated ids); got {len(given)}")
    return given


def compare_runs(
    space: Workspace, ids: str, only_differ: bool, offset: int, limit: int, active_jobs: set[str]
) -> Comparison:
    """The comparison of the runs `ids` names, in that order (BadComparison, RunNotFound)."""
    given = parse_ids(ids)
    runs = [find_run(space, i) for i in given]
    seen = [r.id for r in runs]
    if len(set(seen)) < len(seen):
        twice = next(i for i in seen if seen.count(i) > 1)
        raise BadComparison(f"run {twice!r} is named twice; compare {MIN_RUNS} to {MAX_RUNS} different runs")
    reports = [_run_report(r) for r in runs]
    return Comparison(
        runs=[run_row(space, r, active_jobs) for r in runs],
        metrics=metric_table(reports),
        curves=[RunCurves(id=r.id, name=r.name, curves=curves(r.run)) for r in runs],
        recipe_diff=recipe_diff([scrub(read_recipe(r.run)[1], space) for r in runs]),
        predictions=side_by_side(reports, only_differ, offset, limit),
    )


def _run_report(found: FoundRun) -> ModelReport | None:
    folder = default_report(found.run)
    report = read_report(folder) if folder else None
    return report.run if report else None


def metric_table(reports: list[ModelReport | None]) -> list[CompareMetric]:
    """Each metric any run reports, a value (with interval) per run, and which run did best."""
    names = list(dict.fromkeys(s.name for r in reports if r for s in r.scores))
    table = []
    for name in names:
        found = [next((s for s in r.scores if s.name == name), None) if r else None for r in reports]
        lower = any(s.lower_is_better for s in found if s)
        known = [(s.value, i) for i, s in enumerate(found) if s and s.value is not None]
        best = (min(known) if lower else max(known))[1] if len({v for v, _ in known}) > 1 else None
        values = [metric_value(s) if s else None for s in found]
        table.append(CompareMetric(name=name, lower_is_better=lower, values=values, best=best))
    return table


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A parsed recipe as dotted keys (`train.learning_rate`); lists stay whole values."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value} if prefix else {}


def recipe_diff(recipes: list[dict]) -> list[DiffRow]:
    """The dotted keys whose values are not the same in every run (a key one run lacks counts as differing)."""
    flat = [flatten(r) for r in recipes]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    rows = []
    for key in keys:
        missing = [key not in f for f in flat]
        values = [f.get(key) for f in flat]
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) > 1 or any(missing) != all(missing):
            rows.append(DiffRow(key=key, values=values, missing=missing))
    return rows


def side_by_side(reports: list[ModelReport | None], only_differ: bool, offset: int, limit: int) -> ComparePredictions:
    """The runs' predictions aligned by example (prompt + its occurrence), in the first run's order."""
    order: list[tuple[str, int]] = []
    cells: dict[tuple[str, int], list[CompareCell | None]] = {}
    reference: dict[tuple[str, int], str] = {}
    for i, report in enumerate(reports):
        seen: dict[str, int] = {}
        for row in report.predictions if report else []:
            key = (row["prompt"], seen.get(row["prompt"], 0))
            seen[row["prompt"]] = key[1] + 1
            if key not in cells:
                order.append(key)
                cells[key] = [None] * len(reports)
                reference[key] = row["reference"]
            cells[key][i] = CompareCell(prediction=row["prediction"], score=row["score"])
    rows = [
        CompareRow(index=n, prompt=key[0], reference=reference[key], cells=cells[key], differ=_differ(cells[key]))
        for n, key in enumerate(order)
    ]
    differing = sum(r.differ for r in rows)
    shown = [r for r in rows if r.differ] if only_differ else rows
    names = {r.score_name for r in reports if r and r.score_name}
    return ComparePredictions(
        total=len(rows),
        differing=differing,
        offset=offset,
        limit=limit,
        only_differ=only_differ,
        score_name=names.pop() if len(names) == 1 else None,
        data=shown[offset : offset + limit],
    )


def _differ(cells: list[CompareCell | None]) -> bool:
    """Whether the runs answered differently (a run with no answer for the example differs too)."""
    return len({c.prediction.strip() if c else None for c in cells}) > 1
