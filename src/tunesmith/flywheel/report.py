"""The flywheel's report: what a turn did, as report.json and a readable report.md (tables shared with the CLI)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.atomic import write_text
from tunesmith.flywheel.compare import Comparison
from tunesmith.flywheel.config import FlywheelRecipe
from tunesmith.flywheel.cost import CostTable

if TYPE_CHECKING:
    from tunesmith.flywheel.run import FlywheelResult

Table = tuple[list[str], list[list[str]]]
PRICE_NOTE = (
    "Prices are per million tokens (`prices`). Both rows price the tokens the teacher served; the student's price "
    "is a self-hosting estimate."
)


def score_table(comparison: Comparison) -> Table:
    """Scores against the teacher's answers, one column per candidate (the judge's win rate as a last row)."""
    names = list(comparison.vs_teacher)
    header = ["score (vs teacher)", *names]
    keys = list(comparison.vs_teacher[names[0]]) if names else []
    rows = [[key, *(f"{comparison.vs_teacher[n][key]:.3f}" for n in names)] for key in keys]
    if comparison.judge:
        for key in ("win_rate", "lc_win_rate", "consistency", "first_position_rate"):
            rows.append([f"judge_{key}", *(_num(getattr(comparison.judge[n], key), 3) for n in names)])
    return header, rows


def corrections_table(comparison: Comparison) -> Table:
    """Scores against the corrected answers feedback gave, the teacher's own answers included."""
    names = list(comparison.vs_corrections)
    keys = list(comparison.vs_corrections[names[0]]) if names else []
    return ["score (vs corrections)", *names], [
        [key, *(f"{comparison.vs_corrections[n][key]:.3f}" for n in names)] for key in keys
    ]


def cost_rows(costs: CostTable) -> Table:
    """Teacher and student serving the same logged tokens, and the saving."""
    header = ["", "model", "requests", "input tokens", "output tokens", "in /M", "out /M", f"cost ({costs.currency})"]
    rows = [
        [r.role, r.model, f"{r.requests:,}", f"{r.input_tokens:,}", f"{r.output_tokens:,}", f"{r.price_input:g}",
         f"{r.price_output:g}", f"{r.cost:,.4f}"]
        for r in (costs.teacher, costs.student)
    ]  # fmt: skip
    rows.append(["saving", "", "", "", "", "", "", f"{costs.saving:,.4f} ({costs.saving_share:.1%})"])
    return header, rows


def report_data(result: FlywheelResult, recipe: FlywheelRecipe) -> dict:
    """The report as JSON-ready data."""
    costs = result.costs
    return {
        "folder": str(result.folder),
        "store": recipe.store,
        "teacher_model": recipe.teacher_model,
        "counts": result.counts,
        "curate": [
            {k: op[k] for k in ("op", "options", "records_in", "kept", "changed", "removed")}
            for op in result.curated.ops
        ],
        "train": asdict(result.trained),
        "comparison": asdict(result.comparison),
        "decision": asdict(result.decision),
        "costs": {**asdict(costs), "saving": costs.saving, "saving_share": costs.saving_share},
    }


def write_report(folder: Path, result: FlywheelResult, recipe: FlywheelRecipe) -> None:
    """report.json and report.md in the flywheel folder (each atomically)."""
    write_text(
        folder / "report.json", json.dumps(report_data(result, recipe), indent=2, ensure_ascii=False, default=str)
    )
    write_text(folder / "report.md", render_markdown(result, recipe))


def render_markdown(result: FlywheelResult, recipe: FlywheelRecipe) -> str:
    c, comparison, decision, trained = result.counts, result.comparison, result.decision, result.trained
    lines = [
        f"# Flywheel: {result.folder.name}",
        "",
        f"Teacher `{recipe.teacher_model}`, log `{recipe.store}`: {c['logged']} logged requests; "
        f"{c['train_requests']} to train on ({c['curated']} rows after curation), {c['held_out']} held out"
        + (f" ({c['held_out_skipped']} more skipped: their reference is not JSON)" if c["held_out_skipped"] else "")
        + ".",
        "",
        "## Curation",
        "",
        *_markdown(["op", "in", "kept", "changed", "removed"], [_op_row(op) for op in result.curated.ops]),
        "",
        "## Training",
        "",
        f"Run `{trained.run_dir}`: {trained.steps} steps on {trained.train_examples} examples, train loss "
        f"{_num(trained.train_loss)}, best validation loss {_num(trained.best_eval_loss)}.",
        "",
        f"## Student vs teacher ({comparison.scored} held-out requests)",
        "",
        "The teacher's logged answers are the reference (the teacher scores 1.000 on each task metric, 0.5 win rate).",
        "",
        *_markdown(*score_table(comparison)),
    ]
    if comparison.corrected:
        lines += [
            "",
            f"Against the corrections feedback gave ({comparison.corrected} held-out requests):",
            "",
            *_markdown(*corrections_table(comparison)),
        ]
    verdict = "promoted" if decision.promote else "not promoted"
    where = f" Registered as `{decision.adapter_name}` on {decision.server}." if decision.registered else ""
    lines += ["", "## Decision", "", f"**{verdict}**: {decision.reason}.{where}", "", "## Cost", ""]
    lines += [*_markdown(*cost_rows(result.costs)), "", PRICE_NOTE, ""]
    return "\n".join(lines)


def _op_row(op: dict) -> list[str]:
    removed = ", ".join(f"{why} {n}" for why, n in op["removed"].items()) or "0"
    return [op["op"], str(op["records_in"]), str(op["kept"]), str(op["changed"]), removed]


def _num(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(row) + " |" for row in rows]
