"""Cost per 1,000 requests and one-off cost, from what each arm measured and the prices in the arena file.

A local arm is priced by the hour: price per hour × the seconds per request its batched answering measured.
An endpoint is priced by the token: its mean prompt and completion tokens per request × the price per million.
A price that is not given makes the cost unknown (None), never zero.
"""

from __future__ import annotations

from tunesmith.arena.answer import Answers
from tunesmith.arena.config import CostConfig, TeacherArm
from tunesmith.config.prices import TokenPrice, token_cost


def mean_tokens(values: list[int | None]) -> float | None:
    """Mean tokens per request; None when any request's count is unknown (a server that sent no usage)."""
    if not values or any(v is None for v in values):
        return None
    return sum(values) / len(values)


def per_thousand(arm, answers: Answers, cost: CostConfig) -> dict:
    """What 1,000 requests like these cost, and how that was worked out."""
    n = len(answers.replies)
    if isinstance(arm, TeacherArm):
        tokens_in, tokens_out = mean_tokens(answers.prompt_tokens), mean_tokens(answers.completion_tokens)
        if arm.price is None or tokens_in is None or tokens_out is None:
            missing = "prices" if arm.price is None else "token counts (the server sent no usage)"
            return {"value": None, "basis": f"unknown: no {missing}"}
        value = token_cost(tokens_in * 1000, tokens_out * 1000, arm.price)
        basis = f"{tokens_in:.0f} in + {tokens_out:.0f} out tokens × {arm.price.input}/{arm.price.output} per M"
        return {"value": value, "basis": basis}
    seconds = answers.seconds / n if n else 0.0
    if cost.price_per_hour is None:
        return {"value": None, "basis": f"unknown: no cost.price_per_hour ({seconds:.3f} s per request measured)"}
    value = cost.price_per_hour * seconds * 1000 / 3600
    return {"value": value, "basis": f"{seconds:.3f} s per request × {cost.price_per_hour}/h ({cost.hardware})"}


def one_off(spent: dict, cost: CostConfig) -> dict:
    """What setting the arm up cost once: training time × price per hour, teacher tokens × their price."""
    if not spent:
        return {"value": 0.0, "basis": "nothing to set up"}
    parts, value = [], spent.get("extra", 0.0) or 0.0
    if "train_seconds" in spent:
        seconds = spent["train_seconds"]
        if seconds is None or cost.price_per_hour is None:
            why = "training time" if seconds is None else "cost.price_per_hour"
            return {"value": None, "basis": f"unknown: no {why}"}
        value += cost.price_per_hour * seconds / 3600
        parts.append(f"{seconds:.0f} s training × {cost.price_per_hour}/h")
    if "teacher_tokens" in spent:
        tokens, price = spent["teacher_tokens"], spent.get("teacher_price")
        if price is None:
            return {"value": None, "basis": "unknown: no teacher_price for the rewriting"}
        value += token_cost(tokens["input"], tokens["output"], TokenPrice(**price))
        parts.append(f"{tokens['input']} in + {tokens['output']} out teacher tokens")
    if "synthesis" in spent:
        made = spent["synthesis"]
        value += token_cost(made["input_tokens"], made["output_tokens"], TokenPrice(**made["price"]))
        parts.append(f"{made['input_tokens']} in + {made['output_tokens']} out synthesis tokens")
    if spent.get("extra"):
        parts.append(f"{spent['extra']} other (one_off_extra)")
    return {"value": value, "basis": " + ".join(parts) or "nothing to set up"}


def break_even(one_off_cost: float | None, own_per_1k: float | None, other_per_1k: float | None) -> float | None:
    """Requests after which a one-off cost pays back against a dearer per-request arm (None: it never does)."""
    if one_off_cost is None or own_per_1k is None or other_per_1k is None or other_per_1k <= own_per_1k:
        return None
    return one_off_cost / ((other_per_1k - own_per_1k) / 1000)
