"""OpenAI's grader templates filled in per completion: {{ sample.output_text }} and {{ item.<field> }}.

The syntax is checked when the recipe is validated (`template_fields` in `tunesmith/config/rewards.py`); here each
completion becomes a `Sample` (its text and its dataset record) and templates are rendered against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tunesmith.config.rewards import TEMPLATE_VARIABLE, template_fields
from tunesmith.train.rewards import text_of


@dataclass(frozen=True)
class Sample:
    """What a grader's templates read for one completion: its text, and its record's columns (`item`)."""

    output_text: str
    item: dict[str, Any]


def template_columns(*templates: str) -> list[str]:
    """The dataset columns `templates` read, for the data loader to check; `item.prompt` is the prompt itself."""
    found: list[str] = []
    for template in templates:
        found += [f for f in template_fields(template) if f != "prompt" and f not in found]
    return found


def samples(prompts: list, completions: list, fields: list[str], kwargs: dict[str, list]) -> list[Sample]:
    """One `Sample` per completion; `item.prompt` is the prompt's last message (TRL passes it apart from columns)."""
    return [
        Sample(text_of(completion), {"prompt": text_of(prompt), **{f: kwargs[f][i] for f in fields}})
        for i, (prompt, completion) in enumerate(zip(prompts, completions))
    ]


def render(template: str, sample: Sample) -> str:
    """`template` with its variables replaced: strings as they are, other values as JSON, None as ''."""

    def value(match) -> str:
        variable = match.group(1).strip()
        got = sample.output_text if variable == "sample.output_text" else sample.item[variable.partition(".")[2]]
        return "" if got is None else got if isinstance(got, str) else json.dumps(got, ensure_ascii=False)

    return TEMPLATE_VARIABLE.sub(value, template)
