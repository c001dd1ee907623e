"""The flywheel recipe: which logged traffic to learn from, and how to curate, train, compare, promote and price it.

The flywheel recipe's own paths (store, train, output.dir) are read relative to the current directory; a training
recipe file it names reads its paths from that file's folder, as `tunesmith train` does. Unknown keys are errors
with a did-you-mean, like every other tunesmith file.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from tunesmith.config.prices import TokenPrice
from tunesmith.eval.judge_config import JudgeConfig
from tunesmith.eval.metrics import HEADLINE, METRICS, SCORES
from tunesmith.schema import Strict, unknown_name
from tunesmith.serve.adapters import ADAPTER_NAME
from tunesmith.serve.logfilter import FeedbackKind

# Exact then near duplicates out (cheapest first), then personal data masked in prompts and answers alike.
DEFAULT_CURATE: list[Any] = [{"dedup": {"method": "exact"}}, {"dedup": {"method": "near"}}, {"pii": {"mode": "mask"}}]
# Each metric's scores and headline (eval.metrics); the headline is the default decision.
WIN_RATE = "judge_win_rate"


class FilterConfig(Strict):
    """Which logged requests to use (serve.logfilter.LogFilter): UTC times as ISO or spans ago (7d, 12h)."""

    since: str | None = None
    until: str | None = None
    model: str | None = None  # defaults to teacher_model; if given it must equal it
    tag: str | None = None
    feedback: FeedbackKind | None = None


class HoldoutConfig(Strict):
    """The share of logged prompts kept out of training to compare student and teacher on (seeded)."""

    share: float = Field(0.1, gt=0.0, lt=1.0)
    seed: int = 0


class CompareConfig(Strict):
    """Task metrics (tunesmith.eval.metrics) of each candidate against the teacher's logged answers."""

    metrics: list[str] = Field(default_factory=lambda: ["rouge_l", "exact_match"], min_length=1)
    json_fields: list[str] | None = None
    max_new_tokens: int = Field(256, ge=1)
    batch_size: int = Field(16, ge=1)
    judge: JudgeConfig | None = None  # tunesmith.eval.judge: an endpoint or a local model, asked in both orders

    @field_validator("metrics")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in METRICS]
        if unknown:
            raise ValueError(unknown_name("metric", unknown[0], METRICS))
        return value


class PromoteConfig(Strict):
    """Where and under which name the student is registered, and the rule it must pass."""

    server: str | None = None  # the running `tunesmith serve`, e.g. http://127.0.0.1:8000; None: compare only
    api_key_env: str | None = None  # variable holding a key the server accepts; None for a server without keys
    adapter_name: str = "student"
    metric: str | None = None  # the deciding score; None: the first compare metric's headline (json → field_accuracy)
    min_score: float = Field(0.9, ge=0.0)  # with no adapter registered yet; the teacher scores 1.0 (0.5 win rate)
    margin: float = Field(0.0, ge=0.0)  # with one registered: the student must beat it by more than this
    timeout: float = Field(300.0, gt=0)  # seconds per request to the server

    @field_validator("adapter_name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not ADAPTER_NAME.fullmatch(value):
            raise ValueError("expected 1-64 letters, digits, '_' or '-', starting with a letter or digit")
        return value


class PricesConfig(Strict):
    """Teacher: an example frontier-API list price; student: a self-hosting estimate (set both to your own)."""

    currency: str = "USD"
    teacher: TokenPrice = Field(default_factory=lambda: TokenPrice(input=2.50, output=10.00))
    student: TokenPrice = Field(default_factory=lambda: TokenPrice(input=0.05, output=0.20))


class OutputConfig(Strict):
    dir: Path = Path("runs")
    name: str | None = None  # default: flywheel-<UTC time>


class FlywheelRecipe(Strict):
    store: str  # the request log: a SQLite file path or a SQLAlchemy URL (the one `tunesmith serve` writes)
    teacher_model: str  # the model name the teacher's traffic was logged under
    filter: FilterConfig = Field(default_factory=FilterConfig)
    curate: list[Any] = Field(default_factory=lambda: list(DEFAULT_CURATE))  # data-studio ops, `- op: {options}`
    holdout: HoldoutConfig = Field(default_factory=HoldoutConfig)
    train: Path | dict[str, Any] = Field(default_factory=dict)  # a training recipe file, or one inline
    compare: CompareConfig = Field(default_factory=CompareConfig)
    promote: PromoteConfig = Field(default_factory=PromoteConfig)
    prices: PricesConfig = Field(default_factory=PricesConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)

    @model_validator(mode="after")
    def _consistent(self) -> FlywheelRecipe:
        if self.filter.model is not None and self.filter.model != self.teacher_model:
            raise ValueError(
                f"filter.model '{self.filter.model}' differs from teacher_model '{self.teacher_model}'; "
                "teacher_model already selects the logged traffic: leave filter.model out"
            )
        known = score_names(self.compare)
        metric = self.promote.metric
        if metric is not None and metric not in known and not _per_field(metric, self.compare):
            raise ValueError(f"promote.metric '{metric}' is not a compared score; expected one of {', '.join(known)}")
        if self.output.name is None:
            self.output.name = f"flywheel-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
        return self

    @property
    def folder(self) -> Path:
        """The flywheel's output folder: every artifact of this turn lands here."""
        return self.output.dir / str(self.output.name)

    @property
    def decision_metric(self) -> str:
        return self.promote.metric or HEADLINE[self.compare.metrics[0]]


def score_names(compare: CompareConfig) -> list[str]:
    """Every score name the comparison will report (per-field JSON scores only when json_fields are listed)."""
    names = [name for metric in compare.metrics for name in SCORES[metric]]
    if "json" in compare.metrics:
        names += [f"field_accuracy/{field}" for field in compare.json_fields or []]
    return names + ([WIN_RATE] if compare.judge is not None else [])


def _per_field(metric: str, compare: CompareConfig) -> bool:
    """A per-field JSON score, allowed when the fields are only known from the data."""
    return "json" in compare.metrics and compare.json_fields is None and metric.startswith("field_accuracy/")
