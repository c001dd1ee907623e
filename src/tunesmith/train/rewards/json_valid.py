"""Reward 1 when the completion is valid JSON (a ```json fence around it is allowed), else 0.

With `fields`, the JSON must be an object holding them: valid JSON earns 0.5, and the share of the fields present
earns the other 0.5, so the reward also climbs while the model learns the fields.
"""

from __future__ import annotations

import json
import re

from tunesmith.config.rewards import JsonValidConfig as Config
from tunesmith.train.rewards import text_of
from tunesmith.train.rewards.base import RewardKind

FENCE = re.compile(r"^```(?:json)?\s*\n?(.*?)\n?```$", re.DOTALL)


def score(text: str, fields: list[str] | None = None) -> float:
    """The reward of one completion's text."""
    text = text.strip()
    fenced = FENCE.match(text)
    try:
        value = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError:
        return 0.0
    if not fields:
        return 1.0
    present = sum(1 for f in fields if f in value) if isinstance(value, dict) else 0
    return 0.5 + 0.5 * present / len(fields)


def build(cfg: Config):
    def json_valid(prompts, completions, **kwargs) -> list[float]:
        return [score(text_of(c), cfg.fields) for c in completions]

    return json_valid


REWARD = RewardKind(build=build)
