"""Error bars: 95% percentile-bootstrap intervals over examples, and paired differences between two models.

Every interval resamples the examples 2,000 times with a fixed seed, so two models scored on the same examples
are resampled alike (a paired bootstrap): when the interval of their difference holds zero, it is a tie. A score
that is a ratio of sums (instruction-level accuracy = instructions passed / instructions, token-weighted loss)
resamples whole examples, each with its numerator and denominator: a cluster bootstrap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

RESAMPLES = 2000
LEVEL = 95.0
BLOCK = 200  # resamples a statistic sees at once: bounds its working memory (BLEU: 10 counts per drawn example)

Statistic = Callable[[np.ndarray], np.ndarray]
"""A score as a function of which examples are drawn: an (R, n) array of example indices → R values."""


def resamples(n: int, seed: int = 0) -> np.ndarray:
    """RESAMPLES rows of `n` example indices drawn with replacement (the same rows for the same n and seed)."""
    return np.random.default_rng(seed).integers(0, n, size=(RESAMPLES, n))


def bounds(values: np.ndarray) -> tuple[float, float]:
    """The central 95% of bootstrap values."""
    low, high = np.percentile(values, [(100 - LEVEL) / 2, (100 + LEVEL) / 2])
    return float(low), float(high)


def interval(scores: Sequence[float], seed: int = 0) -> dict:
    """Mean and 95% percentile-bootstrap interval of per-example scores."""
    values = np.asarray(scores, dtype=float)
    if values.size == 0:
        return {"mean": None, "low": None, "high": None, "n": 0}
    low, high = bounds(values[resamples(values.size, seed)].mean(axis=1))
    return {"mean": float(values.mean()), "low": low, "high": high, "n": int(values.size)}


def paired_difference(a: Sequence[float], b: Sequence[float], seed: int = 0) -> dict:
    """Mean of a − b over the same examples, its 95% paired-bootstrap interval, and whether it is a tie."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    found = interval(diff.tolist(), seed)
    found["tie"] = found["n"] == 0 or found["low"] <= 0.0 <= found["high"]
    return found


def ratio(numerators: Sequence[float], denominators: Sequence[float]) -> Statistic:
    """sum(numerators) / sum(denominators) over the drawn examples (0 where nothing was counted, as the metrics
    score an empty set)."""
    num, den = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)

    def statistic(rows: np.ndarray) -> np.ndarray:
        top, bottom = num[rows].sum(axis=1), den[rows].sum(axis=1)
        return np.divide(top, bottom, out=np.zeros_like(top), where=bottom != 0)

    return statistic


def ratio_interval(numerators: Sequence[float], denominators: Sequence[float], seed: int = 0) -> dict:
    """sum(numerators) / sum(denominators) with its 95% interval, resampling examples (clusters) whole."""
    return statistic_interval(ratio(numerators, denominators), len(numerators), seed)


def statistic_interval(statistic: Statistic, n: int, seed: int = 0) -> dict:
    """A score computed from drawn examples (a corpus BLEU, a macro F1, a ratio): its value on all `n` examples and
    its 95% percentile-bootstrap interval."""
    if n == 0:
        return {"mean": None, "low": None, "high": None, "n": 0}
    rows = resamples(n, seed)
    low, high = bounds(np.concatenate([statistic(rows[i : i + BLOCK]) for i in range(0, RESAMPLES, BLOCK)]))
    return {"mean": float(statistic(np.arange(n)[None, :])[0]), "low": low, "high": high, "n": n}


def paired_statistic(first: Statistic, last: Statistic, n: int, seed: int = 0) -> dict:
    """last − first on the same `n` examples, its 95% paired-bootstrap interval, and whether it is a tie."""
    if n == 0:
        return {"mean": None, "low": None, "high": None, "n": 0, "tie": True}
    found = statistic_interval(lambda rows: last(rows) - first(rows), n, seed)
    found["tie"] = found["low"] <= 0.0 <= found["high"]
    return found
