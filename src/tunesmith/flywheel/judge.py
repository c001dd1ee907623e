"""A pairwise LLM judge: how often a candidate's answer beats the teacher's, asked in both orders.

Each held-out request is judged twice, with the candidate first and then second, so a judge that prefers
whichever answer comes first cancels out. An order scores 1 (candidate better), 0.5 (tie) or 0; a request
scores the mean of the orders the judge answered readably. The win rate is the mean over requests: 0.5 means
as good as the teacher.
"""

from __future__ import annotations

import os
import re

from tunesmith.errors import InputError
from tunesmith.flywheel.config import JudgeConfig

VERDICT = re.compile(r"\b(TIE|Tie|tie|A|B)\b")
SLOT = re.compile(r"\{(prompt|a|b)\}")


def parse_verdict(reply: str) -> str | None:
    """'A', 'B' or 'TIE' from the judge's reply (its first such word); None if it gave none."""
    found = VERDICT.search(reply)
    return found.group(1).upper() if found else None


def order_score(verdict: str | None, candidate_first: bool) -> float | None:
    """The candidate's score in one order: 1 if its answer won, 0.5 for a tie, 0 if the teacher's won."""
    if verdict is None:
        return None
    if verdict == "TIE":
        return 0.5
    return 1.0 if (verdict == "A") == candidate_first else 0.0


def tally(scores: list[float | None]) -> dict[str, float]:
    """Win rate and counts from per-request scores (None: the judge gave no readable verdict)."""
    known = [s for s in scores if s is not None]
    return {
        "win_rate": sum(known) / len(known) if known else 0.0,
        "wins": sum(s > 0.5 for s in known),
        "ties": sum(s == 0.5 for s in known),
        "losses": sum(s < 0.5 for s in known),
        "unparsed": len(scores) - len(known),
    }


def check_key(cfg: JudgeConfig, source: str = "flywheel") -> None:
    """Stop early (before any training) when the judge's key variable is named but not set."""
    if cfg.api_key_env is not None and not os.environ.get(cfg.api_key_env):
        raise InputError(
            f"{source}: key 'compare.judge.api_key_env'", f"environment variable {cfg.api_key_env} is not set"
        )


def win_rate(cfg: JudgeConfig, prompts: list[str], candidate: list[str], teacher: list[str]) -> dict[str, float]:
    """How often `candidate`'s answers beat `teacher`'s on the same prompts, by the judge."""
    from tunesmith.data.teacher import OpenAITeacher

    check_key(cfg)
    judge = OpenAITeacher(
        cfg.base_url, cfg.model, cfg.api_key_env, temperature=0.0, max_tokens=cfg.max_tokens,
        concurrency=cfg.concurrency, timeout=cfg.timeout, max_retries=2,
    )  # fmt: skip
    asks = []
    for prompt, ours, theirs in zip(prompts, candidate, teacher, strict=True):
        asks.append(_fill(cfg.prompt, prompt, ours, theirs))
        asks.append(_fill(cfg.prompt, prompt, theirs, ours))
    verdicts = [parse_verdict(reply) for reply in judge.complete(asks)]
    scores = []
    for first, second in zip(verdicts[::2], verdicts[1::2]):
        orders = [s for s in (order_score(first, True), order_score(second, False)) if s is not None]
        scores.append(sum(orders) / len(orders) if orders else None)
    return tally(scores)


def _fill(template: str, prompt: str, a: str, b: str) -> str:
    """The template with its slots filled in one pass (braces inside the texts, e.g. JSON, are left alone)."""
    values = {"prompt": prompt, "a": a, "b": b}
    return SLOT.sub(lambda match: values[match.group(1)], template)
