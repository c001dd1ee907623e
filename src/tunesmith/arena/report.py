"""The arena report: every arm's scores with intervals, latency, tokens and cost, the judge, and the verdict —
`report.json` for machines, `report.html` (a quality-vs-cost scatter, per-metric bars, answers side by side)
for people. Both are written atomically; record text is escaped in the page."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tunesmith.arena.answer import percentile
from tunesmith.arena.config import ArenaConfig
from tunesmith.arena.cost import mean_tokens, one_off, per_thousand
from tunesmith.arena.recommend import recommend
from tunesmith.arena.score import all_metrics, by_group, interval, per_example, primary_name
from tunesmith.arena.task import Examples, last_user, read_examples
from tunesmith.atomic import atomic_path, write_text

TEMPLATE = Path(__file__).with_name("report.html.jinja")


def build_report(cfg: ArenaConfig, test: Examples, answered: dict, judged: dict, judge_error: str | None) -> dict:
    """The report's content from each arm's record (answers and measurements) and the judge's results."""
    from tunesmith.arena.answer import Answers

    task, primary = cfg.task, primary_name(cfg.task)
    arms = []
    for arm in cfg.arms:
        record = answered[arm.name]
        row = {"name": arm.name, "kind": arm.kind, "status": record["status"], "settings": record.get("settings")}
        if record["status"] != "ok":
            arms.append({**row, "error": record["error"]})
            continue
        answers = Answers(**record["answers"])
        scores = per_example(task, answers.replies, test.references)
        n = len(answers.replies)
        row.update(
            metrics=all_metrics(task, answers.replies, test.references),
            primary=interval(scores),
            scores=scores,
            by={f"{task.by}={g}": v for g, v in by_group(scores, test.groups).items()} if task.by else {},
            latency={
                "p50": percentile(answers.latencies, 50),
                "p95": percentile(answers.latencies, 95),
                "n": len(answers.latencies),
                "how": "one request at a time" if answers.where == "local" else f"{n} requests, concurrently",
            },
            seconds_per_request=answers.seconds / n if n else None,
            tokens={
                "prompt": mean_tokens(answers.prompt_tokens),
                "completion": mean_tokens(answers.completion_tokens),
            },
            cost={"per_1k": per_thousand(arm, answers, cfg.cost), "one_off": one_off(record.get("one_off"), cfg.cost)},
            details=_short_details(record.get("details") or {}),
            replies=answers.replies,
        )
        if arm.name in judged:
            row["judge"] = judged[arm.name]
        arms.append(row)
    train_records = len(read_examples(task.train)) if task.train else None
    return {
        "task": {
            "eval": str(task.eval), "n": len(test), "metrics": task.metrics, "primary": primary, "by": task.by,
            "train_records": train_records, "instructions": task.instructions,
        },
        "cost": cfg.cost.model_dump(),
        "judge": None if cfg.judge is None else {"reference": cfg.judge.reference, "model": cfg.judge.model,
                                                 **({"error": judge_error} if judge_error else {})},
        "arms": arms,
        "recommendation": recommend(arms, primary, cfg.cost.currency, train_records),
        "examples": _examples(test, arms, cfg.examples),
    }  # fmt: skip


def write_report(report: dict, test: Examples, out: Path) -> None:
    """report.json (without per-example lists), report.html and the two charts as PNG files."""
    from tunesmith.arena.charts import metric_bars, quality_cost_scatter

    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "scatter.png": quality_cost_scatter(report),
        "metrics.png": metric_bars(report),
    }
    for name, png in figures.items():
        with atomic_path(out / name) as tmp:
            tmp.write_bytes(png)
    machine = {
        **report,
        "arms": [{k: v for k, v in a.items() if k not in ("scores", "replies")} for a in report["arms"]],
    }
    write_text(out / "report.json", json.dumps(machine, ensure_ascii=False, indent=1))
    write_text(out / "report.html", render_html(machine, figures))


def render_html(report: dict, figures: dict[str, bytes]) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    uris = {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for name, png in figures.items()}
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(report=report, figures=uris)


def _examples(test: Examples, arms: list[dict], count: int) -> list[dict]:
    """The first `count` questions with the reference and every arm's answer."""
    answered = [a for a in arms if a["status"] == "ok"]
    return [
        {
            "question": last_user(test.prompts[i]),
            "reference": test.references[i],
            "answers": {a["name"]: a["replies"][i] for a in answered},
        }
        for i in range(min(count, len(test)))
    ]


def _short_details(details: dict) -> dict:
    """What the arm used, without per-question lists (those stay in arms/<name>.json)."""
    return {k: v for k, v in details.items() if k not in ("demonstrations", "retrieved")}


def _num(value, digits: int = 3) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)
