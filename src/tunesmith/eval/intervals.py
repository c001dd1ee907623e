"""Every eval score as a statistic of which examples are drawn, so each gets a bootstrap interval and two models a
paired test on the same examples.

Scores that average over examples (or divide sums over them: field accuracy, token-weighted loss, the probe's
instruction-level accuracy) resample each example's numerator and denominator; corpus BLEU resamples each
example's n-gram counts and recomputes BLEU; macro precision/recall/F1 recompute from the drawn labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from tunesmith.eval import metrics as metric_fns
from tunesmith.eval.stats import Statistic, paired_statistic, ratio, statistic_interval

DIGITS = 4


class Resampled(NamedTuple):
    """One score as a function of drawn examples, and how many examples it is drawn from."""

    statistic: Statistic
    n: int


def metric_samples(
    names: Sequence[str], preds: Sequence[str], refs: Sequence[str], json_fields: list[str] | None = None
) -> dict[str, Resampled]:
    """Every score the named metrics report (metrics.compute), as a resampled statistic."""
    found: dict[str, Resampled] = {}
    for metric in names:
        for score, (num, den) in metric_fns.parts(metric, preds, refs, json_fields).items():
            found[score] = Resampled(ratio(num, den), len(num))
        if metric == "bleu":
            found["bleu"] = Resampled(_bleu(preds, refs), len(preds))
        if metric == "classification":
            found.update({name: Resampled(fn, len(preds)) for name, fn in _macro(preds, refs).items()})
    return found


def loss_samples(nll: Sequence[float], tokens: Sequence[int]) -> dict[str, Resampled]:
    """Validation loss (summed loss over summed tokens, per conversation) and its perplexity."""
    loss = ratio(nll, tokens)
    return {
        "val_loss": Resampled(loss, len(nll)),
        "val_perplexity": Resampled(lambda rows: np.exp(np.minimum(loss(rows), 50.0)), len(nll)),
    }


def probe_samples(rows: Sequence[dict]) -> dict[str, Resampled]:
    """The forgetting probe's prompt-level (every instruction passed) and instruction-level (passed / total)
    strict accuracy, from its rows' `passed: {instruction_id: bool}`, resampling prompts; where rows name their
    `language`, the same per language (`…_en`, `…_zh`)."""
    found = _probe_scores(rows, "")
    for language in sorted({row["language"] for row in rows if "language" in row}):
        found.update(_probe_scores([row for row in rows if row.get("language") == language], f"_{language}"))
    return found


def _probe_scores(rows: Sequence[dict], suffix: str) -> dict[str, Resampled]:
    passed = [list(row["passed"].values()) for row in rows]
    prompt = [float(all(ok)) for ok in passed]  # as the probe scores it
    return {
        f"probe/if_prompt_strict{suffix}": Resampled(ratio(prompt, [1.0] * len(prompt)), len(prompt)),
        f"probe/if_instruction_strict{suffix}": Resampled(
            ratio([sum(ok) for ok in passed], [len(ok) for ok in passed]), len(passed)
        ),
    }


def value(found: Resampled) -> float:
    """The score on every example (what the report shows; its interval resamples around it)."""
    return float(found.statistic(np.arange(found.n)[None, :])[0])


def intervals(samples: dict[str, Resampled]) -> dict[str, dict]:
    """Each score's 95% bootstrap interval: {low, high, n}."""
    found = {}
    for name, (statistic, n) in samples.items():
        if n:
            got = statistic_interval(statistic, n)
            found[name] = {"low": round(got["low"], DIGITS), "high": round(got["high"], DIGITS), "n": n}
    return found


def paired(first: dict[str, Resampled], last: dict[str, Resampled]) -> dict[str, dict]:
    """Each score both models have on the same examples: Δ = last − first, its 95% paired-bootstrap interval, and
    `tie` when that interval holds 0."""
    found = {}
    for name in (n for n in last if n in first):
        (a, n), (b, m) = first[name], last[name]
        if n and n == m:
            got = paired_statistic(a, b, n)
            found[name] = {
                "delta": round(got["mean"], DIGITS),
                "low": round(got["low"], DIGITS),
                "high": round(got["high"], DIGITS),
                "n": n,
                "tie": bool(got["tie"]),
            }
    return found


def _bleu(preds: Sequence[str], refs: Sequence[str]) -> Statistic:
    """Corpus BLEU (scaled to [0, 1], as metrics.bleu) from the drawn examples' summed n-gram statistics."""
    from sacrebleu.metrics import BLEU

    scorer = BLEU(tokenize=metric_fns.bleu_tokenizer(refs), effective_order=True)  # counts as corpus BLEU's
    found = [scorer.sentence_score(p, [r]) for p, r in zip(preds, refs, strict=True)]
    stats = np.array([[*s.counts, *s.totals, s.sys_len, s.ref_len] for s in found], dtype=np.int64).reshape(-1, 10)

    def statistic(rows: np.ndarray) -> np.ndarray:
        sums = stats[rows].sum(axis=1)
        scores = [
            BLEU.compute_bleu(s[:4].tolist(), s[4:8].tolist(), int(s[8]), int(s[9]), smooth_method="exp").score
            for s in sums
        ]
        return np.clip(np.asarray(scores) / 100, 0.0, 1.0)

    return statistic


def _macro(preds: Sequence[str], refs: Sequence[str]) -> dict[str, Statistic]:
    """Macro precision, recall and F1 (as metrics.classification) over the labels among the drawn references."""
    labels = sorted({metric_fns.norm_label(r) for r in refs})
    index = {label: i for i, label in enumerate(labels)}
    truth = np.array([index[metric_fns.norm_label(r)] for r in refs], dtype=np.int64)
    guess = np.array([index.get(metric_fns.norm_label(p), len(labels)) for p in preds], dtype=np.int64)

    def averages(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t, g = truth[rows], guess[rows]
        hit = np.stack([((t == k) & (g == k)).sum(axis=1) for k in range(len(labels))], axis=1).astype(float)
        predicted = np.stack([(g == k).sum(axis=1) for k in range(len(labels))], axis=1).astype(float)
        actual = np.stack([(t == k).sum(axis=1) for k in range(len(labels))], axis=1).astype(float)
        precision = np.divide(hit, predicted, out=np.zeros_like(hit), where=predicted > 0)
        recall = np.divide(hit, actual, out=np.zeros_like(hit), where=actual > 0)
        both = precision + recall
        f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hit), where=both > 0)
        present = actual > 0  # a label counts where the drawn references hold it
        count = np.maximum(present.sum(axis=1), 1)
        return tuple((score * present).sum(axis=1) / count for score in (precision, recall, f1))

    return {
        "macro_precision": lambda rows: averages(rows)[0],
        "macro_recall": lambda rows: averages(rows)[1],
        "macro_f1": lambda rows: averages(rows)[2],
    }
