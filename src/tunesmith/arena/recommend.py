"""The verdict: which arm to use, and why, with every claim tied to a number in the same report.

Quality is the primary score with its bootstrap interval; an arm whose paired difference from the best holds
zero is tied with it, and among tied arms the cheaper one per request is recommended. Fine-tuning's one-off
cost is set against each dearer per-request arm as a break-even request volume. The task's own signals are
named when the numbers show them: knowledge that changes (a `by` group where retrieval wins), a format or
narrow skill (json validity gained by fine-tuning), few training examples (few-shot tied with the best).
"""

from __future__ import annotations

from tunesmith.arena.cost import break_even
from tunesmith.arena.score import paired_difference

RETRIEVES = ("rag", "fine_tuned_rag")
TRAINED = ("fine_tuned", "fine_tuned_rag")
FEW_EXAMPLES = 100  # training records below which few-shot is named as a signal


def recommend(arms: list[dict], primary: str, currency: str, train_records: int | None) -> dict:
    """The verdict from scored arms (each: name, kind, status, scores, primary, cost, by, metrics)."""
    ok = [a for a in arms if a["status"] == "ok"]
    if not ok:
        return {"verdict": "No arm answered; nothing to recommend.", "claims": [], "pick": None}
    best = max(ok, key=lambda a: a["primary"]["mean"])
    tied = [a for a in ok if a is best or paired_difference(a["scores"], best["scores"])["tie"]]
    claims = [f"Best quality: {best['name']} ({primary} {_ci(best['primary'])})."]
    for other in tied:
        if other is not best:
            d = paired_difference(other["scores"], best["scores"])
            claims.append(
                f"{other['name']} is tied with it: {other['name']} − {best['name']} = {d['mean']:+.3f} "
                f"(95% CI [{d['low']:+.3f}, {d['high']:+.3f}] holds zero)."
            )
    priced = [a for a in ok if a["cost"]["per_1k"]["value"] is not None]
    if priced:
        cheapest = min(priced, key=lambda a: a["cost"]["per_1k"]["value"])
        claims.append(f"Cheapest per 1,000 requests: {cheapest['name']} ({_money(cheapest, currency)}).")
    claims += _break_evens(ok, currency)
    signals = _signals(ok, best, primary, train_records)
    tied_priced = [a for a in tied if a["cost"]["per_1k"]["value"] is not None]
    pick = min(tied_priced, key=lambda a: a["cost"]["per_1k"]["value"]) if tied_priced else best
    why = "the best quality" if pick is best else f"tied with {best['name']} on quality and cheaper per request"
    if len(tied) > 1 and pick is best:
        why = "the best quality; the arms tied with it cost the same or more, or their cost is unknown"
    verdict = f"Use {pick['name']} ({pick['kind']}): {why}."
    return {"verdict": verdict, "pick": pick["name"], "best": best["name"], "tied": [a["name"] for a in tied],
            "claims": claims, "signals": signals}  # fmt: skip


def _break_evens(ok: list[dict], currency: str) -> list[str]:
    """For each trained arm with a known one-off cost: the requests after which it pays back against each dearer
    arm that needs no training and does not answer better."""
    claims = []
    for tuned in [a for a in ok if a["kind"] in TRAINED]:
        one_off, own = tuned["cost"]["one_off"]["value"], tuned["cost"]["per_1k"]["value"]
        if one_off is None or own is None:
            continue
        for other in [a for a in ok if a["kind"] not in TRAINED]:
            theirs = other["cost"]["per_1k"]["value"]
            better = paired_difference(other["scores"], tuned["scores"])
            if theirs is None or (not better["tie"] and better["mean"] > 0):
                continue  # no price, or the other arm answers better: paying back against it is no reason to switch
            n = break_even(one_off, own, theirs)
            if n is None and other["kind"] == "teacher":
                claims.append(
                    f"{tuned['name']} never pays back against {other['name']}: it costs {own:.4f} per 1,000 "
                    f"requests, {other['name']} {theirs:.4f} {currency}."
                )
            elif n is not None:
                claims.append(
                    f"{tuned['name']}'s one-off cost ({one_off:.4f} {currency}) pays back against {other['name']} "
                    f"after {n:,.0f} requests ({own:.4f} vs {theirs:.4f} {currency} per 1,000)."
                )
    return claims


def _signals(ok: list[dict], best: dict, primary: str, train_records: int | None) -> list[str]:
    """What in the task pointed where, each with its numbers."""
    signals = []
    groups = sorted({g for a in ok for g in a.get("by", {})})
    for group in groups:
        scored = [(a["by"][group]["mean"], a) for a in ok if group in a.get("by", {})]
        top_score, top = max(scored, key=lambda pair: pair[0])
        line = f"On records where {group}: {top['name']} scores best ({top_score:.3f})"
        closed = [(s, a) for s, a in scored if a["kind"] == "fine_tuned"]
        if top["kind"] in RETRIEVES and closed:
            s, a = max(closed, key=lambda pair: pair[0])
            line += f"; fine-tuned without retrieval, {a['name']} scores {s:.3f}: this knowledge is better looked up"
        signals.append(line + ".")
    prompt = next((a for a in ok if a["kind"] == "prompt"), None)
    valid = "json_valid"
    if prompt is not None and valid in prompt["metrics"]:
        for tuned in [a for a in ok if a["kind"] in TRAINED and valid in a["metrics"]]:
            before, after = prompt["metrics"][valid], tuned["metrics"][valid]
            if after - before >= 0.2:
                signals.append(
                    f"Format: valid JSON {before:.2f} ({prompt['name']}) → {after:.2f} ({tuned['name']}): "
                    "an output format is a skill fine-tuning teaches."
                )
    rag = next((a for a in ok if a["kind"] == "rag"), None)
    if prompt is not None and rag is not None:
        d = paired_difference(rag["scores"], prompt["scores"])
        if not d["tie"]:
            signals.append(
                f"Retrieval changes {primary} by {d['mean']:+.3f} over {prompt['name']} "
                f"(95% CI [{d['low']:+.3f}, {d['high']:+.3f}])."
            )
    few = [a for a in ok if a["kind"] == "few_shot" and a["name"] != best["name"]]
    if train_records is not None and train_records < FEW_EXAMPLES:
        signals.append(f"Only {train_records} training records: few-shot prompting is the cheapest way to use them.")
    for a in few:
        if paired_difference(a["scores"], best["scores"])["tie"]:
            signals.append(f"{a['name']} (few-shot) is tied with the best: demonstrations alone close the gap.")
    return signals


def _ci(score: dict) -> str:
    return f"{score['mean']:.3f}, 95% CI [{score['low']:.3f}, {score['high']:.3f}], n = {score['n']}"


def _money(arm: dict, currency: str) -> str:
    return f"{arm['cost']['per_1k']['value']:.4f} {currency}"
