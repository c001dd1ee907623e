"""The data validation report: five checks, length and category statistics, and the pipeline's steps.

`build_report` returns a JSON-ready dict; `write_report` writes it as report.json and as a self-contained
report.html (charts embedded as data: URIs, all record text escaped by the template's autoescaping).
"""

from __future__ import annotations

import base64
import functools
import json
import random
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
from datasets import Dataset
from pydantic import Field, model_validator

from tunesmith.atomic import write_text
from tunesmith.data import checks
from tunesmith.data.ops import OpContext, select
from tunesmith.data.records import answer_of, get_meta, prompt_of
from tunesmith.data.sources import combine
from tunesmith.schema import Strict

BINS = 30  # most histogram bars; lengths above the 99th percentile go in the last one
TEMPLATE = Path(__file__).with_name("report.html.jinja")


class ReportConfig(Strict):
    """Report settings (a pipeline's `report:` section): the checks' criteria and thresholds."""

    domain: select.Config | None = None  # the select op's criteria; without them domain relevance is skipped
    min_on_domain: float = Field(0.9, ge=0.0, le=1.0)
    category: str | None = "category"  # meta key with a task category; when most records lack it, clusters are used
    clusters: int = Field(16, ge=1)  # k of the k-means over prompt embeddings (max entropy log2(k) bits)
    min_diversity_bits: float = Field(3.2, ge=0.0)
    consistency_threshold: float = Field(0.9, gt=0.0, le=1.0)  # MinHash Jaccard of near-identical prompts
    # 1%, not 0: near-identical prompts that differ in one meaningful token ("model 1" vs "model 2") or ask an
    # open-ended question rightly get different answers; a few such pairs should not fail a dataset, while
    # systematic contradictions (label noise) do. The examples in the report show each disagreeing group.
    max_inconsistent: float = Field(0.01, ge=0.0, le=1.0)
    date_field: str = "date"  # meta key holding an ISO date
    since: date | None = None
    until: date | None = None
    min_timely: float = Field(0.9, ge=0.0, le=1.0)
    pii: bool = True
    sample: int | None = Field(20000, ge=1)  # records the model-based checks (domain, clusters, PII) look at

    @model_validator(mode="after")
    def _window_in_order(self) -> ReportConfig:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


def build_report(datasets: dict[str, Dataset], steps: list[dict], cfg: ReportConfig, ctx: OpContext) -> dict:
    """Run the five checks over all output datasets together; add lengths, categories and the steps."""
    data = combine(list(datasets.values())) if datasets else Dataset.from_list([])
    total = len(data)
    prompts, answers, metas = _columns(data, cfg)
    size = min(total, cfg.sample or total)
    picked = list(range(total)) if size == total else sorted(random.Random(ctx.seed).sample(range(total), size))

    @functools.cache
    def sample() -> list[dict]:
        """The seeded sample the model-based checks read (all records when there are at most `cfg.sample`)."""
        return data.select(picked).to_list() if total else []

    distribution = checks.category_counts(metas, cfg) or checks.cluster_counts(sample(), total, cfg, ctx)
    found = [
        checks.domain_relevance(sample() if cfg.domain else [], total, cfg, ctx),
        checks.diversity(distribution, cfg),
        checks.label_consistency(prompts, answers, cfg),
        checks.timeliness(metas, cfg),
        checks.pii_residue(sample() if cfg.pii else [], picked, total, cfg, ctx),
    ]
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "records": {name: len(dataset) for name, dataset in datasets.items()},
        "total": total,
        "sample": {"size": size, "seed": ctx.seed},
        "settings": cfg.model_dump(mode="json", exclude_defaults=True),
        "checks": found,
        "steps": steps,
        "lengths": {"unit": "characters", "prompt": _lengths(prompts), "answer": _lengths(answers)},
        "categories": distribution,
    }


def write_report(folder: Path, report: dict) -> None:
    """Write folder/report.json and a self-contained folder/report.html, each atomically."""
    folder = Path(folder)
    write_text(folder / "report.json", json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    write_text(folder / "report.html", render_html(report))


def failed_checks(report: dict) -> list[str]:
    """Names of the checks that failed (what `--strict` exits on)."""
    return [check["name"] for check in report["checks"] if check["status"] == "fail"]


def render_html(report: dict) -> str:
    """The report as one HTML page; every piece of record text goes through the template's autoescaping."""
    import jinja2

    from tunesmith.data.charts import charts

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pretty"] = _pretty
    figures = [
        {**c, "uri": "data:image/png;base64," + base64.b64encode(c["png"]).decode("ascii")} for c in charts(report)
    ]
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(report=report, figures=figures, failed=failed_checks(report))


def _columns(data: Dataset, cfg: ReportConfig) -> tuple[list[str], list[str], list[dict]]:
    """Every record's prompt, answer and the meta fields the checks read, streamed batch by batch."""
    prompts, answers, metas = [], [], []
    keys = [key for key in (cfg.category, cfg.date_field) if key]
    for batch in data.iter(batch_size=1000):
        for row in (dict(zip(batch, values)) for values in zip(*batch.values())):
            prompts.append(prompt_of(row))
            answers.append(answer_of(row))
            meta = get_meta(row)
            metas.append({key: meta.get(key) for key in keys})
    return prompts, answers, metas


def _lengths(texts: list[str]) -> dict:
    """Length statistics in characters, and histogram bins up to the 99th percentile (longer ones in the last)."""
    if not texts:
        return {"count": 0}
    values = np.array([len(text) for text in texts], dtype=float)
    low, top = int(values.min()), int(np.ceil(np.percentile(values, 99)))
    width = max(1, -(-(top + 1 - low) // BINS))  # whole characters per bar
    edges = np.arange(low, top + width + 1, width)
    counts, edges = np.histogram(np.minimum(values, edges[-1] - 1), bins=edges)
    p50, p90 = np.percentile(values, [50, 90])
    return {
        "count": len(texts),
        "min": int(values.min()),
        "median": float(p50),
        "mean": round(float(values.mean()), 1),
        "p90": float(p90),
        "max": int(values.max()),
        "edges": [int(edge) for edge in edges],
        "counts": [int(count) for count in counts],
    }


def _pretty(value: object, limit: int = 3000) -> str:
    """A value as indented JSON for the page, cut at `limit` characters (the template escapes it)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit:,} more characters)"
