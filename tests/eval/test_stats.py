"""Bootstrap intervals and paired differences: they hold the mean, narrow with more data, and call ties honestly."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.arena import score
from tunesmith.eval import stats


def coin(n: int, p: float, seed: int = 1) -> list[float]:
    return (np.random.default_rng(seed).random(n) < p).astype(float).tolist()


def test_interval_holds_the_mean_and_narrows_with_more_examples():
    small, large = stats.interval(coin(40, 0.6)), stats.interval(coin(1000, 0.6))
    for found in (small, large):
        assert found["low"] < found["mean"] < found["high"]
    assert small["n"] == 40 and large["n"] == 1000
    assert (large["high"] - large["low"]) < (small["high"] - small["low"]) / 3  # width shrinks like 1/sqrt(n)
    assert large["low"] < 0.6 < large["high"]


def test_interval_is_reproducible_and_empty_scores_have_none():
    assert stats.interval(coin(50, 0.5)) == stats.interval(coin(50, 0.5))
    assert stats.interval([]) == {"mean": None, "low": None, "high": None, "n": 0}


def test_identical_predictions_tie_and_a_clear_win_does_not():
    a = coin(100, 0.5)
    same = stats.paired_difference(a, a)
    assert same["tie"] is True and same["mean"] == 0.0
    win = stats.paired_difference([1.0] * 60, [0.0] * 60)
    assert win["tie"] is False and win["low"] > 0
    close = stats.paired_difference(coin(30, 0.5, seed=2), coin(30, 0.5, seed=3))
    assert close["tie"] is True  # two coin-flip models on 30 examples: no difference these examples can show


def test_paired_test_is_tighter_than_separate_intervals():
    """The same examples resampled for both models: a small but consistent gain is found, though the two
    models' own intervals overlap."""
    base = coin(200, 0.5)
    better = [1.0 if i % 10 == 0 else v for i, v in enumerate(base)]  # a few more right, none lost
    a, b = stats.interval(base), stats.interval(better)
    assert a["high"] > b["low"]  # the separate intervals overlap
    assert stats.paired_difference(better, base)["tie"] is False


def test_ratio_interval_resamples_whole_prompts():
    """Instruction-level accuracy: passed / instructions, summed over the drawn prompts."""
    passed, total = [2, 0, 3, 1] * 25, [3, 1, 3, 2] * 25
    found = stats.ratio_interval(passed, total)
    assert found["mean"] == pytest.approx(sum(passed) / sum(total))
    assert found["low"] < found["mean"] < found["high"] and found["n"] == 100


def test_paired_statistic_difference_of_ratios():
    first = stats.ratio([1, 0, 1, 0] * 20, [2] * 80)
    last = stats.ratio([2, 2, 2, 1] * 20, [2] * 80)
    found = stats.paired_statistic(first, last, 80)
    assert found["mean"] == pytest.approx(7 / 8 - 1 / 4)
    assert found["tie"] is False and found["low"] > 0
    assert stats.paired_statistic(first, first, 80)["tie"] is True


def test_the_arena_uses_the_same_functions():
    assert score.interval is stats.interval and score.paired_difference is stats.paired_difference
