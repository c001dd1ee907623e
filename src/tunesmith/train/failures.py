"""Failure types of a model's wrong answers, and pairs balanced across them (for self-play preference data).

A preference stage trained on the model's own mistakes learns what the mistakes have in common. When one kind
dominates (in the quickstart, most wrong answers were a city invented where the reference has null), DPO
over-learns that one correction. Balancing caps each failure type at the mean count per type, so every kind of
mistake the model makes is corrected about as often as any other.
"""

from __future__ import annotations

import math
import random
from collections import Counter

LABEL_WORDS = 4  # a reference this short is a label or a short answer: its mistakes are typed by the reference


def failure_type(answer: str, reference: str) -> str:
    """What is wrong with `answer` against `reference`, as a short name: for a JSON reference, invalid JSON or
    which fields differ (else the format); for a short reference, which reference was missed; otherwise whether the
    answer is empty, holds the reference amid other text, or is simply different."""
    from tunesmith.eval.metrics import extract_json, json_fields

    expected = extract_json(reference)
    if expected:
        if extract_json(answer) is None:
            return "invalid JSON"
        wrong = [key for key in expected if json_fields([answer], [reference], [key])["field_accuracy"] < 1.0]
        return ("wrong " + ", ".join(sorted(wrong))) if wrong else "format"
    answer, reference = answer.strip(), reference.strip()
    if not answer:
        return "empty"
    if reference.casefold() in answer.casefold():
        return "extra text"
    if len(reference.split()) <= LABEL_WORDS:
        return f"missed {reference}"
    return "different"


def balance(types: list[str], seed: int) -> list[int]:
    """Which items to keep (their indices, in order) when each failure type (`types[i]` is item i's) is cut to at
    most the mean count per type: a seeded random choice within each type."""
    counts = Counter(types)
    cap = math.ceil(len(types) / len(counts)) if counts else 0
    order = list(range(len(types)))
    random.Random(seed).shuffle(order)
    kept, taken = [], Counter()
    for i in order:
        if taken[types[i]] < cap:
            taken[types[i]] += 1
            kept.append(i)
    return sorted(kept)
