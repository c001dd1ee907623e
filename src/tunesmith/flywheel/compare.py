"""Score candidates on the held-out slice: task metrics against the teacher's logged answers (the reference), the
same against corrections where feedback gave them (the teacher scored too), and a judge's win rate if configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tunesmith.eval.judge import JudgeSummary, conversation_text, judge_pairs, make_judge
from tunesmith.eval.metrics import compute, extract_json
from tunesmith.flywheel.config import WIN_RATE, CompareConfig


@dataclass
class Comparison:
    """Scores by candidate ("student", "current"): against the teacher, against corrections, and by the judge."""

    scored: int
    skipped: int  # held-out requests left out because their reference is not a JSON object (json metric)
    vs_teacher: dict[str, dict[str, float]] = field(default_factory=dict)
    corrected: int = 0
    vs_corrections: dict[str, dict[str, float]] = field(default_factory=dict)  # also "teacher"
    judge: dict[str, JudgeSummary] = field(default_factory=dict)

    def score(self, candidate: str, metric: str) -> float:
        """One candidate's deciding score (the judge's win rate, or a task metric against the teacher)."""
        if metric == WIN_RATE:
            return self.judge[candidate].win_rate or 0.0  # nothing judged readably: no wins
        return self.vs_teacher[candidate][metric]


def scorable(rows: list[dict], cfg: CompareConfig) -> tuple[list[dict], int]:
    """The held-out rows every metric can score (the json metric needs a JSON reference), and how many were not."""
    if "json" not in cfg.metrics:
        return rows, 0
    kept = [row for row in rows if extract_json(row["reference"]) is not None]
    return kept, len(rows) - len(kept)


def compare(rows: list[dict], answers: dict[str, list[str]], cfg: CompareConfig, skipped: int = 0) -> Comparison:
    """Score each candidate's answers to the held-out `rows` (as `holdout_rows` writes them)."""
    refs = [row["reference"] for row in rows]
    result = Comparison(scored=len(rows), skipped=skipped)
    for name, preds in answers.items():
        result.vs_teacher[name] = _scores(cfg, preds, refs)
    fixed = [i for i, row in enumerate(rows) if row.get("correction") is not None and _fits(cfg, row["correction"])]
    result.corrected = len(fixed)
    if fixed:
        corrections = [rows[i]["correction"] for i in fixed]
        for name, preds in {"teacher": refs, **answers}.items():
            result.vs_corrections[name] = _scores(cfg, [preds[i] for i in fixed], corrections)
    if cfg.judge is not None:
        judge = make_judge(cfg.judge, "compare.judge.api_key_env")
        prompts = [conversation_text(row["messages"]) for row in rows]
        for name, preds in answers.items():
            result.judge[name], _ = judge_pairs(judge, prompts, preds, refs, cfg.judge.prompt)
    return result


def _scores(cfg: CompareConfig, preds: list[str], refs: list[str]) -> dict[str, float]:
    return compute(cfg.metrics, preds, refs, json_fields=cfg.json_fields)


def _fits(cfg: CompareConfig, reference: str) -> bool:
    """Whether `reference` can be scored against (a JSON object, when the json metric is on)."""
    return "json" not in cfg.metrics or extract_json(reference) is not None
