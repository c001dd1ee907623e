"""A length-controlled win rate, after AlpacaEval LC (Dubois et al. 2024, "Length-Controlled AlpacaEval").

Judges like longer answers. The LC win rate asks what the judge would have preferred had both answers been the same
length: a logistic regression of each judged order's preference (candidate won 1, tie 0.5, lost 0: soft labels) on
an intercept and the length feature tanh(len_diff / std(len_diff)), where len_diff = len(candidate) - len(reference)
in characters; the LC win rate is sigmoid(intercept), the fitted preference at zero length difference.

AlpacaEval's model also fits a per-instruction difficulty term across many models; with one candidate and one
reference there is nothing to fit it on, so it is left out. Two choices differ from a bare fit, both to keep the
number finite and stable:

- a small L2 penalty (a standard-normal prior on both coefficients, `l2=1`), so a judge whose verdicts length
  separates perfectly, or one that always prefers the candidate, does not send the coefficients to infinity (with
  few pairs it also pulls the LC rate a little toward 0.5);
- the orders where the candidate is longer and those where it is shorter weigh the same in total (each side's
  weights sum to half their joint count). A judge that always picks the longer answer is a step in len_diff,
  which a logistic curve cannot draw; unweighted, the fit leans toward whichever side holds more pairs. On 100
  equal-quality pairs with the candidate longer in 70% (raw win rate 0.70), measured: LC 0.61 unweighted, 0.49
  weighted (tests/eval/test_judge.py); averaged over 40 random such sets, 0.63 and 0.50. Balancing targets a set
  of pairs where the candidate is longer half the time, which is the question LC asks; where the judge's
  preference really is logistic in the length feature, both fits land near 0.5 (0.50 unweighted, 0.48 weighted,
  averaged over 40 random sets of 100 pairs).

What it corrects: a preference that tracks the length difference alone. What it does not: a judge's taste for
other surface features (lists, confidence, its own style); length that comes with real quality (a complete answer
is often a longer one, and LC discounts it too); and when the candidate is longer in every pair, the rate at zero
difference is an extrapolation along the fitted curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

L2 = 1.0  # penalty on both coefficients: a standard-normal prior, small against a few dozen judged orders


@dataclass(frozen=True)
class LengthFit:
    """The fitted curve: `win_rate` at zero length difference, and the slope of the length feature."""

    win_rate: float
    length_slope: float  # logit change per unit of tanh(len_diff / std); > 0: the judge favours the longer answer


def length_controlled(labels: Sequence[float], len_diffs: Sequence[float], l2: float = L2) -> LengthFit | None:
    """Fit the preference `labels` (1, 0.5 or 0 per judged order) on the length differences; None for no labels."""
    y = np.asarray(labels, dtype=float)
    diff = np.asarray(len_diffs, dtype=float)
    if y.size == 0:
        return None
    scale = diff.std()
    feature = np.tanh(diff / scale) if scale > 0 else np.zeros_like(diff)
    x = np.stack([np.ones_like(feature), feature], axis=1)
    beta = _newton(x, y, _balanced_weights(diff), l2)
    return LengthFit(win_rate=float(1.0 / (1.0 + np.exp(-beta[0]))), length_slope=float(beta[1]))


def _balanced_weights(diff: np.ndarray) -> np.ndarray:
    """Weights giving the longer-candidate and shorter-candidate orders equal totals (equal lengths weigh 1)."""
    weights = np.ones_like(diff)
    longer, shorter = diff > 0, diff < 0
    if longer.any() and shorter.any():
        half = (longer.sum() + shorter.sum()) / 2
        weights[longer] = half / longer.sum()
        weights[shorter] = half / shorter.sum()
    return weights


def _newton(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, steps: int = 100) -> np.ndarray:
    """Minimise the weighted soft-label log loss plus l2/2 * |beta|^2 by Newton's method with step halving.

    The objective is strictly convex (the penalty makes the Hessian positive definite), so this converges to
    the one minimum; step halving guards the first steps when the data are nearly separable.
    """
    beta = np.zeros(x.shape[1])

    def objective(b: np.ndarray) -> float:
        z = x @ b
        return float(np.sum(w * (np.logaddexp(0.0, z) - y * z)) + l2 / 2 * b @ b)

    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (p - y)) + l2 * beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + l2 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        size, current = 1.0, objective(beta)
        while objective(beta - size * step) > current - 1e-4 * size * (grad @ step) and size > 1e-6:
            size /= 2
        beta = beta - size * step
        if np.max(np.abs(size * step)) < 1e-10:
            break
    return beta
