"""An honest pairwise LLM judge: a candidate's answers against a reference's, each pair asked in both orders.

For every prompt the judge is asked twice, with the candidate as answer A and then as answer B. Each order gives a
verdict (A, B or TIE) that scores the candidate 1, 0.5 or 0. A pair's final score follows MT-Bench (Zheng et al.
2023, as FastChat tallies it): the same outcome in both orders stands; any disagreement (the verdict flipped with
the order, or a win in one order and a tie in the other) is a tie; with one readable order that one stands; with
none the pair is unparsed. The summary says how far to trust the judge:

- `win_rate`: (wins + 0.5 * ties) / judged pairs; 0.5 means as good as the reference;
- `consistency`: the share of pairs (both orders readable) whose two orders agree;
- `first_position_rate`: of the single-order verdicts that chose a position (A or B), the share that chose A;
  0.5 is unbiased. A judge that always says "A" shows consistency 0 and first-position rate 1, and every one of
  its verdicts becomes a tie;
- `lc_win_rate`: the length-controlled win rate (tunesmith.eval.length_control): the preference at zero length
  difference, with `length_slope` (> 0: the judge favours longer answers); lengths are in characters;
- `metric_agreement`: where per-example task-metric scores are given, the share of pairs in which the metric and
  the judge's final verdict prefer the same side (pairs either calls a tie left out), over `metric_agreement_n`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from tunesmith.atomic import write_text
from tunesmith.data.teacher import Teacher, TeacherConfig, make_teacher
from tunesmith.errors import InputError
from tunesmith.eval.judge_config import JUDGE_PROMPT, JudgeConfig, missing_slots
from tunesmith.eval.length_control import length_controlled

Verdict = Literal["A", "B", "TIE"]
VERDICT = re.compile(r"\b(TIE|Tie|tie|A|B)\b")
SLOT = re.compile(r"\{(prompt|a|b)\}")
LENGTH_UNIT = "characters"


@dataclass
class Judgement:
    """One pair, judged in both orders: [0] with the candidate as answer A, [1] with it as answer B."""

    prompt: str
    candidate: str
    reference: str
    judge_prompts: tuple[str, str]  # the filled template, as sent
    replies: tuple[str, str]  # the judge's raw replies
    verdicts: tuple[Verdict | None, Verdict | None]  # parsed from the replies (None: unreadable)
    order_scores: tuple[float | None, float | None]  # the candidate's score in each order: 1, 0.5, 0
    score: float | None  # final (MT-Bench rule): 1 win, 0.5 tie, 0 loss; None: no readable order
    consistent: bool | None  # both orders readable and agreeing; None when fewer than two are readable
    length_diff: int  # len(candidate) - len(reference), in characters
    candidate_metric: float | None = None  # the task metric's score of each side, when given
    reference_metric: float | None = None


@dataclass
class JudgeSummary:
    """What the judge decided over all pairs, and how far to trust it (see the module docstring)."""

    judge: str  # the judge's name (an endpoint's address without credentials, or a local model ref)
    pairs: int
    wins: int
    ties: int
    losses: int
    unparsed: int
    win_rate: float | None  # None when no pair was judged
    lc_win_rate: float | None
    length_slope: float | None
    consistency: float | None  # None when no pair had two readable orders
    first_position_rate: float | None  # None when no verdict chose a position
    metric_agreement: float | None  # None without metric scores, or when no pair had a preference on both sides
    metric_agreement_n: int
    length_unit: str = LENGTH_UNIT


def make_judge(cfg: JudgeConfig, where: str = "judge.api_key_env") -> Teacher:
    """The judge `cfg` describes, greedy (temperature 0); an endpoint's key variable is checked now (`where`
    names the setting in the InputError), so a missing key stops an eval before anything is generated."""
    if cfg.kind == "openai":
        check_key(cfg, where)
    settings = TeacherConfig(
        kind=cfg.kind, model=cfg.model, base_url=cfg.base_url,
        api_key_env=cfg.api_key_env if cfg.kind == "openai" else None, temperature=0.0,
        max_tokens=cfg.max_tokens, concurrency=cfg.concurrency, timeout=cfg.timeout,
        max_retries=cfg.max_retries, batch_size=cfg.batch_size,
    )  # fmt: skip
    return make_teacher(settings)


def check_key(cfg: JudgeConfig, where: str = "judge.api_key_env") -> None:
    """InputError naming the variable when an endpoint judge's key variable is named but not set."""
    if cfg.kind == "openai" and cfg.api_key_env is not None and not os.environ.get(cfg.api_key_env):
        server = cfg.base_url or "the OpenAI API"
        raise InputError(
            where,
            f"environment variable {cfg.api_key_env} is not set; expected the judge's API key for {server} in it "
            "(or no key variable for a server without keys)",
        )


def judge_pairs(
    judge: Teacher,
    prompts: Sequence[str],
    candidate: Sequence[str],
    reference: Sequence[str],
    template: str = JUDGE_PROMPT,
    candidate_scores: Sequence[float] | None = None,
    reference_scores: Sequence[float] | None = None,
) -> tuple[JudgeSummary, list[Judgement]]:
    """Judge `candidate[i]` against `reference[i]` on `prompts[i]`, both orders each, and summarise.

    An endpoint that cannot be reached raises InputError (after its retries) before the other requests go out.
    """
    if missing := missing_slots(template):
        raise InputError("judge prompt", f"must contain {', '.join(missing)}: where the request and answers go")
    n = len(prompts)
    scores = _metric_pairs(n, candidate_scores, reference_scores)
    if len(candidate) != n or len(reference) != n:
        raise ValueError(f"got {n} prompts, {len(candidate)} candidate and {len(reference)} reference answers")
    asks = [fill(template, p, a, b) for p, c, r in zip(prompts, candidate, reference) for a, b in ((c, r), (r, c))]
    # the first request alone: a judge that is down fails once, not once per request after every retry
    replies = [*judge.complete(asks[:1]), *judge.complete(asks[1:])] if asks else []
    pairs = [
        _judgement(prompts[i], candidate[i], reference[i], asks[2 * i : 2 * i + 2], replies[2 * i : 2 * i + 2], *s)
        for i, s in enumerate(scores)
    ]
    return summarize(pairs, public_name(getattr(judge, "name", type(judge).__name__))), pairs


def parse_verdict(reply: str) -> Verdict | None:
    """'A', 'B' or 'TIE' from the judge's reply (its first such word); None if it gave none."""
    found = VERDICT.search(reply)
    return found.group(1).upper() if found else None  # type: ignore[return-value]


def order_score(verdict: Verdict | None, candidate_first: bool) -> float | None:
    """The candidate's score in one order: 1 if its answer won, 0.5 for a tie, 0 if the reference's won."""
    if verdict is None:
        return None
    if verdict == "TIE":
        return 0.5
    return 1.0 if (verdict == "A") == candidate_first else 0.0


def final_score(first: float | None, second: float | None) -> float | None:
    """A pair's score from its two orders: agreement stands, disagreement is a tie, one readable order stands."""
    if first is None or second is None:
        return second if first is None else first
    return first if first == second else 0.5


def summarize(pairs: Sequence[Judgement], judge: str = "") -> JudgeSummary:
    """The summary of judged pairs (see the module docstring for each number)."""
    known = [p.score for p in pairs if p.score is not None]
    both = [p.consistent for p in pairs if p.consistent is not None]
    positions = [v for p in pairs for v in p.verdicts if v in ("A", "B")]
    orders = [(s, p.length_diff) for p in pairs for s in p.order_scores if s is not None]
    fit = length_controlled([s for s, _ in orders], [d for _, d in orders])
    agreement, agreement_n = metric_agreement(pairs)
    return JudgeSummary(
        judge=judge, pairs=len(pairs), wins=sum(s == 1.0 for s in known), ties=sum(s == 0.5 for s in known),
        losses=sum(s == 0.0 for s in known), unparsed=len(pairs) - len(known),
        win_rate=sum(known) / len(known) if known else None,
        lc_win_rate=fit.win_rate if fit else None, length_slope=fit.length_slope if fit else None,
        consistency=sum(both) / len(both) if both else None,
        first_position_rate=positions.count("A") / len(positions) if positions else None,
        metric_agreement=agreement, metric_agreement_n=agreement_n,
    )  # fmt: skip


def metric_agreement(pairs: Sequence[Judgement]) -> tuple[float | None, int]:
    """The share of pairs where the task metric and the judge prefer the same side, and how many pairs counted
    (those with metric scores, a metric preference and a judge preference: a tie on either side is left out)."""
    same = []
    for p in pairs:
        if p.candidate_metric is None or p.reference_metric is None or p.score in (None, 0.5):
            continue
        if p.candidate_metric != p.reference_metric:
            same.append((p.candidate_metric > p.reference_metric) == (p.score == 1.0))
    return (sum(same) / len(same) if same else None), len(same)


def write_judgement(summary: JudgeSummary, pairs: Sequence[Judgement], folder: str | Path) -> None:
    """judge.jsonl (one row per pair: the prompt, both answers, both filled judge prompts, both raw replies, the
    parsed verdicts and the final score) and judge.json (the summary) in `folder`, each written atomically.
    Neither holds a key: the judge is named by its public address, and keys never reach these records."""
    folder = Path(folder)
    rows = "".join(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in pairs)
    write_text(folder / "judge.jsonl", rows)
    write_text(folder / "judge.json", json.dumps(asdict(summary), indent=2, ensure_ascii=False) + "\n")


def judge_line(summary: JudgeSummary) -> str:
    """One line for a person: win rate, LC win rate, consistency and first-position rate, with the counts."""

    def num(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    line = (
        f"Judge {summary.judge}: win rate {num(summary.win_rate)} (LC {num(summary.lc_win_rate)}), "
        f"{summary.wins} wins / {summary.ties} ties / {summary.losses} losses"
        + (f" / {summary.unparsed} unparsed" if summary.unparsed else "")
        + f"; consistency {num(summary.consistency)}, first-position rate {num(summary.first_position_rate)}"
    )
    if summary.metric_agreement_n:
        line += f"; agrees with the metric on {num(summary.metric_agreement)} of {summary.metric_agreement_n}"
    return line


def fill(template: str, prompt: str, a: str, b: str) -> str:
    """The template with its slots filled in one pass (braces inside the texts, e.g. JSON, are left alone)."""
    values = {"prompt": prompt, "a": a, "b": b}
    return SLOT.sub(lambda match: values[match.group(1)], template)


def conversation_text(messages: Sequence[dict]) -> str:
    """A conversation as the judge reads it: one user turn as itself, longer ones as `role: content` lines."""
    if len(messages) == 1:
        return str(messages[0].get("content") or "")
    return "\n\n".join(f"{m['role']}: {m.get('content') or ''}" for m in messages)


def public_name(name: str) -> str:
    """A judge's name without any credentials or query in its address (`https://user:pw@host/v1?k=…` → host)."""
    name = re.sub(r"://[^/@\s]*@", "://", name)
    return re.sub(r"\?\S*", "", name)


def _judgement(prompt: str, cand: str, ref: str, asks: list[str], replies: list[str], cm, rm) -> Judgement:
    verdicts = (parse_verdict(replies[0]), parse_verdict(replies[1]))
    scores = (order_score(verdicts[0], True), order_score(verdicts[1], False))
    consistent = None if None in scores else scores[0] == scores[1]
    return Judgement(
        prompt, cand, ref, (asks[0], asks[1]), (replies[0], replies[1]), verdicts, scores,
        final_score(*scores), consistent, len(cand) - len(ref), cm, rm,
    )  # fmt: skip


def _metric_pairs(n: int, cand: Sequence[float] | None, ref: Sequence[float] | None) -> list[tuple]:
    """(candidate metric, reference metric) per pair; Nones without scores."""
    if cand is None and ref is None:
        return [(None, None)] * n
    if cand is None or ref is None or len(cand) != n or len(ref) != n:
        raise ValueError(f"expected {n} candidate and {n} reference metric scores, or neither")
    return [(float(c), float(r)) for c, r in zip(cand, ref)]
