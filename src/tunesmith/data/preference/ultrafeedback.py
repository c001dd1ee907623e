"""UltraFeedback-style rated completions: {"prompt", "completions": [{"response", "score"}]} → best vs worst pair.

The pair is the highest-scored completion (chosen) against the lowest-scored one (rejected); among equal scores the
one listed first wins. A record whose completions all score the same, or that has fewer than two, yields no pair and
is counted as skipped.
"""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions, check_str, get_list, type_name
from tunesmith.data.preference import pair, reply, user_prompt
from tunesmith.errors import InputError

NAME = "ultrafeedback"
KEYS = ("prompt", "completions")
TEXT_KEYS = ("response", "text", "completion", "content")
SCORE_KEYS = ("score", "rating", "overall_score", "fine-grained_score")
TIED = "all completions scored the same"
TOO_FEW = "fewer than two completions"


def matches(record: dict) -> bool:
    """Whether the record has a `completions` field."""
    return "completions" in record


def to_row(record: dict, where: str, options: FormatOptions) -> dict | str:
    """The best- against the worst-scored completion, or the reason the record yields no pair."""
    column = options.column("completions")
    rated = [
        _rated(item, f"{column}[{i}]", where) for i, item in enumerate(get_list(record, "completions", where, options))
    ]
    if len(rated) < 2:
        return TOO_FEW
    scores = [score for _, score in rated]
    if max(scores) == min(scores):
        return TIED
    best, worst = scores.index(max(scores)), scores.index(min(scores))
    prompt_column = options.column("prompt") if options.column("prompt") in record else "instruction"
    if record.get(prompt_column) is None:
        raise InputError(
            where, f"field '{options.column('prompt')}' is missing; expected the prompt the completions answer"
        )
    chosen = reply(rated[best][0], f"{column}[{best}]", where)
    rejected = reply(rated[worst][0], f"{column}[{worst}]", where)
    return pair(
        user_prompt(record[prompt_column], prompt_column, where),
        chosen,
        rejected,
        where,
        (f"{column}[{best}]", f"{column}[{worst}]"),
    )


def _rated(item: object, label: str, where: str) -> tuple[str, float]:
    """(text, score) of one completion, from the first text key and the first score key it has."""
    if not isinstance(item, dict):
        raise InputError(where, f"field '{label}' must be an object with a response and a score, got {type_name(item)}")
    text_key = next((k for k in TEXT_KEYS if k in item), None)
    score_key = next((k for k in SCORE_KEYS if k in item), None)
    if text_key is None:
        raise InputError(where, f"field '{label}' has no text; expected one of the keys {', '.join(TEXT_KEYS)}")
    if score_key is None:
        raise InputError(where, f"field '{label}' has no score; expected one of the keys {', '.join(SCORE_KEYS)}")
    score = item[score_key]
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        raise InputError(where, f"field '{label}.{score_key}' must be a number, got {type_name(score)}")
    return check_str(item[text_key], f"{label}.{text_key}", where), float(score)
