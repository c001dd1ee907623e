"""Reward 1 when the completion equals the reference answer in a dataset column (or contains it), else 0.

Both sides are compared with surrounding spaces and final punctuation removed and case folded; two numbers
compare by value ("5" equals "5.0").
"""

from __future__ import annotations

from tunesmith.config.rewards import ExactAnswerConfig as Config
from tunesmith.train.rewards import text_of
from tunesmith.train.rewards.base import RewardKind


def columns(cfg: Config) -> list[str]:
    return [cfg.column]


def normalize(text: str) -> str:
    """Case-folded text with runs of whitespace as one space and no trailing . ! or ?."""
    return " ".join(str(text).split()).rstrip(".!?").strip().casefold()


def score(text: str, answer: str, match: str = "exact") -> float:
    """1.0 when `text` matches `answer`, else 0.0."""
    got, want = normalize(text), normalize(answer)
    if not want:
        return 0.0
    if match == "contains":
        return 1.0 if want in got else 0.0
    try:
        return 1.0 if float(got) == float(want) else 0.0
    except ValueError:
        return 1.0 if got == want else 0.0


def build(cfg: Config):
    def exact_answer(prompts, completions, **kwargs) -> list[float]:
        answers = kwargs[cfg.column]
        return [score(text_of(c), str(a), cfg.match) for c, a in zip(completions, answers)]

    return exact_answer


REWARD = RewardKind(build=build, columns=columns)
