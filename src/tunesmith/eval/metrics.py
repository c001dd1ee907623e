"""Task metrics over generated strings and their references; each returns a flat dict of named floats."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from tunesmith.data.text import CJK_RE, CjkTokenizer
from tunesmith.errors import InputError
from tunesmith.schema import unknown_name

METRICS = ("exact_match", "contains", "classification", "json", "rouge_l", "bleu", "tool_call")

# The scores each metric reports (json also reports field_accuracy/<field>); the first listed is its headline,
# except json, whose headline is field_accuracy.
SCORES = {
    "exact_match": ["exact_match"],
    "contains": ["contains"],
    "classification": ["accuracy", "macro_precision", "macro_recall", "macro_f1"],
    "json": ["json_valid", "field_accuracy"],
    "rouge_l": ["rouge_l"],
    "bleu": ["bleu"],
    "tool_call": ["tool_call_accuracy", "tool_name_accuracy", "tool_args_exact", "tool_args_field_accuracy",
                  "tool_args_valid", "tool_no_call_accuracy"],
}  # fmt: skip
HEADLINE = {metric: "field_accuracy" if metric == "json" else scores[0] for metric, scores in SCORES.items()}

_FENCE_RE = re.compile(r"```[A-Za-z0-9_-]*")
_MISSING = object()


def _check(preds: Sequence[str], refs: Sequence[str]) -> None:
    """Raise ValueError unless there is exactly one prediction per reference."""
    if len(preds) != len(refs):
        raise ValueError(f"got {len(preds)} predictions for {len(refs)} references; expected the same number")


def _mean(values: Sequence[float]) -> float:
    """Mean of `values`, 0.0 for none (an empty eval scores nothing rather than failing)."""
    return sum(values) / len(values) if values else 0.0


def norm_label(text: str) -> str:
    """A label as compared: stripped and case-folded."""
    return text.strip().casefold()


def exact_match(preds: Sequence[str], refs: Sequence[str]) -> dict[str, float]:
    """Share of predictions equal to their reference after stripping surrounding whitespace."""
    _check(preds, refs)
    return {"exact_match": _mean([float(p.strip() == r.strip()) for p, r in zip(preds, refs, strict=True)])}


def contains(preds: Sequence[str], refs: Sequence[str]) -> dict[str, float]:
    """Share of predictions that hold their reference (a short answer such as "27 months") anywhere in a longer
    reply; case, width, runs of spaces and a final full stop are ignored on both sides."""
    _check(preds, refs)

    def norm(text: str) -> str:
        return " ".join(_norm_text(text).split()).rstrip("。.")

    return {"contains": _mean([float(norm(r) in norm(p)) for p, r in zip(preds, refs, strict=True)])}


def classification(preds: Sequence[str], refs: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro precision/recall/F1 over the labels in `refs`; unseen predictions are wrong."""
    _check(preds, refs)
    p_norm = [norm_label(p) for p in preds]
    r_norm = [norm_label(r) for r in refs]
    precisions, recalls, f1s = [], [], []
    for label in sorted(set(r_norm)):
        tp = sum(p == label and r == label for p, r in zip(p_norm, r_norm, strict=True))
        predicted = sum(p == label for p in p_norm)
        actual = sum(r == label for r in r_norm)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        precisions.append(precision)
        recalls.append(recall)
        f1s.append(f1)
    return {
        "accuracy": _mean([float(p == r) for p, r in zip(p_norm, r_norm, strict=True)]),
        "macro_precision": _mean(precisions),
        "macro_recall": _mean(recalls),
        "macro_f1": _mean(f1s),
    }


def extract_json(text: str) -> dict | None:
    """The first JSON object in model output, ignoring ``` fences and any text around it; None if none."""
    text = _FENCE_RE.sub(" ", text)
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            return obj
        start = text.find("{", start + 1)
    return None


def _as_number(value: Any) -> float | None:
    """`value` as a finite float if it is a number or a string holding one, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _norm_text(value: str) -> str:
    """A string value as compared: NFKC-normalised, stripped and case-folded."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _values_equal(pred: Any, ref: Any) -> bool:
    """Lenient equality of JSON values: text ignores case/width/padding, numbers compare numerically."""
    if pred is _MISSING or ref is _MISSING:
        return pred is ref
    if isinstance(pred, bool) or isinstance(ref, bool):
        return pred is ref
    if isinstance(pred, (int, float)) or isinstance(ref, (int, float)):
        a, b = _as_number(pred), _as_number(ref)
        return a is not None and a == b
    if isinstance(pred, str) and isinstance(ref, str):
        return _norm_text(pred) == _norm_text(ref)
    if isinstance(pred, list) and isinstance(ref, list):
        return len(pred) == len(ref) and all(_values_equal(a, b) for a, b in zip(pred, ref, strict=True))
    if isinstance(pred, dict) and isinstance(ref, dict):
        return pred.keys() == ref.keys() and all(_values_equal(pred[k], ref[k]) for k in ref)
    return pred is None and ref is None


def json_fields(preds: Sequence[str], refs: Sequence[str], fields: list[str] | None = None) -> dict[str, float]:
    """JSON validity of predictions and per-field accuracy against reference objects (default: their keys)."""
    return _ratios(_json_parts(preds, refs, fields))


def _json_parts(preds: Sequence[str], refs: Sequence[str], fields: list[str] | None) -> dict[str, Columns]:
    _check(preds, refs)
    examples = []
    for i, (pred, ref) in enumerate(zip(preds, refs, strict=True)):
        ref_obj = extract_json(ref)
        if ref_obj is None:
            raise InputError(where="eval.metrics", message=f"reference {i} is not a JSON object: {ref[:80]!r}")
        pred_obj = extract_json(pred)
        names = fields if fields is not None else list(ref_obj)
        hits = [(name, float(pred_obj is not None and _field_equal(pred_obj, ref_obj, name))) for name in names]
        found = {
            "json_valid": (float(pred_obj is not None), 1.0),
            "field_accuracy": (sum(h for _, h in hits), len(hits)),
        }
        for name, hit in hits:
            num, den = found.get(f"field_accuracy/{name}", (0.0, 0.0))
            found[f"field_accuracy/{name}"] = (num + hit, den + 1.0)
        examples.append(found)
    return _columns(examples, ("json_valid", "field_accuracy"))


def _field_equal(pred_obj: dict, ref_obj: dict, name: str) -> bool:
    return _values_equal(pred_obj.get(name, _MISSING), ref_obj.get(name, _MISSING))


def rouge_l(preds: Sequence[str], refs: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-L F-measure, tokenising CJK by character so Chinese scores sensibly."""
    _check(preds, refs)
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=CjkTokenizer())
    return {"rouge_l": _mean([scorer.score(r, p)["rougeL"].fmeasure for p, r in zip(preds, refs, strict=True)])}


def bleu(preds: Sequence[str], refs: Sequence[str]) -> dict[str, float]:
    """Corpus BLEU scaled to [0, 1], with sacrebleu's Chinese tokenizer when any reference has CJK."""
    _check(preds, refs)
    if not preds:
        return {"bleu": 0.0}
    import sacrebleu

    score = sacrebleu.corpus_bleu(list(preds), [list(refs)], tokenize=bleu_tokenizer(refs)).score
    return {"bleu": min(1.0, max(0.0, score / 100))}


def bleu_tokenizer(refs: Sequence[str]) -> str:
    """sacrebleu's tokenizer for these references: its Chinese one when any has CJK."""
    return "zh" if any(CJK_RE.search(r) for r in refs) else "13a"


def tool_call(preds: Sequence[str], refs: Sequence[str]) -> dict[str, float]:
    """Tool use against reference replies (calls in the fallback format, models/tool_calls.py, or plain text):

    - `tool_call_accuracy`: the whole reply right: the same calls (names, arguments equal) or, when the
      reference makes no call, none;
    - `tool_name_accuracy`, `tool_args_exact`, `tool_args_field_accuracy`: over replies that should call, the
      right functions, arguments exactly equal, and per argument (lenient, as `json` compares fields);
    - `tool_args_valid`: over replies that try to call (a <tool_call> tag or a parsed call), the share whose
      call parses (a JSON object with a name and arguments);
    - `tool_no_call_accuracy`: over replies that should answer in text, the share that make no call.
    """
    return _ratios(_tool_parts(preds, refs))


TOOL_SCORES = SCORES["tool_call"]


def _tool_parts(preds: Sequence[str], refs: Sequence[str]) -> dict[str, Columns]:
    _check(preds, refs)
    from tunesmith.models.tool_calls import CALL_OPEN, arguments_of, parse_tool_calls

    def calls(text: str) -> list[tuple[str, dict]]:
        return [(c["function"]["name"], arguments_of(c)) for c in parse_tool_calls(text)[1]]

    examples = []
    for pred, ref in zip(preds, refs, strict=True):
        want, got = calls(ref), calls(pred)
        found = {"tool_args_valid": (float(bool(got)), 1.0)} if CALL_OPEN in pred or got else {}
        if not want:
            found["tool_call_accuracy"] = found["tool_no_call_accuracy"] = (float(not got), 1.0)
            examples.append(found)
            continue
        same = len(got) == len(want) and all(g == w for g, w in zip(got, want))
        found["tool_call_accuracy"] = found["tool_args_exact"] = (float(same), 1.0)
        found["tool_name_accuracy"] = (float([n for n, _ in got] == [n for n, _ in want]), 1.0)
        fields = []
        for i, (_, arguments) in enumerate(want):
            given = got[i][1] if i < len(got) and got[i][0] == want[i][0] else {}
            fields += [float(_values_equal(given.get(k, _MISSING), v)) for k, v in arguments.items()] or [float(same)]
        found["tool_args_field_accuracy"] = (sum(fields), float(len(fields)))
        examples.append(found)
    return _columns(examples, TOOL_SCORES)


Columns = tuple[list[float], list[float]]
"""One score's numerator and denominator per example: the score is sum(numerators) / sum(denominators)."""


def _columns(examples: list[dict[str, tuple[float, float]]], always: Sequence[str]) -> dict[str, Columns]:
    """Per-example (numerator, denominator) of each score, as columns over examples (0, 0 where an example does
    not count towards a score); `always` first, then the rest as they first appear."""
    names = dict.fromkeys([*always, *(name for found in examples for name in found)])
    return {
        name: (
            [found.get(name, (0.0, 0.0))[0] for found in examples],
            [found.get(name, (0.0, 0.0))[1] for found in examples],
        )
        for name in names
    }


def _ratios(columns: dict[str, Columns]) -> dict[str, float]:
    """Each score as sum(numerators) / sum(denominators); 0.0 where nothing counted."""
    return {name: sum(num) / sum(den) if sum(den) else 0.0 for name, (num, den) in columns.items()}


_BY_NAME = {
    "exact_match": exact_match,
    "contains": contains,
    "classification": classification,
    "json": json_fields,
    "rouge_l": rouge_l,
    "bleu": bleu,
    "tool_call": tool_call,
}


def check_names(names: Sequence[str]) -> None:
    """InputError for the first name that is no metric, with a did-you-mean: called before any model loads."""
    unknown = [name for name in names if name not in _BY_NAME]
    if unknown:
        raise InputError("eval.metrics", unknown_name("metric", unknown[0], METRICS))


def compute(
    names: Sequence[str], preds: Sequence[str], refs: Sequence[str], json_fields: list[str] | None = None
) -> dict[str, float]:
    """Run the named metrics and merge their scores into one flat dict."""
    check_names(names)
    _check(preds, refs)
    scores: dict[str, float] = {}
    for name in names:
        metric = _BY_NAME[name]
        scores.update(metric(preds, refs, json_fields) if name == "json" else metric(preds, refs))
    return scores


def per_example(
    metric: str,
    preds: Sequence[str],
    refs: Sequence[str],
    score: str | None = None,
    json_fields: list[str] | None = None,
) -> list[float]:
    """Each prediction's own `score` of `metric` (default: its headline), scored alone: what intervals, paired
    comparisons and a judge's metric agreement are computed from."""
    score = score or HEADLINE[metric]
    return [compute([metric], [p], [r], json_fields)[score] for p, r in zip(preds, refs, strict=True)]


def parts(
    metric: str, preds: Sequence[str], refs: Sequence[str], json_fields: list[str] | None = None
) -> dict[str, Columns]:
    """Each example's numerator and denominator of every score of `metric` that is a ratio of sums over examples (a
    mean: denominator 1), so that sum(numerators) / sum(denominators) is the reported score: what their bootstrap
    intervals resample. Corpus scores (bleu, macro_*) have none; eval/intervals.py recomputes them on drawn examples."""
    check_names([metric])
    if metric == "json":
        return _json_parts(preds, refs, json_fields)
    if metric == "tool_call":
        return _tool_parts(preds, refs)
    if metric == "bleu":
        return {}
    score = "accuracy" if metric == "classification" else metric
    values = per_example(metric, preds, refs, score)
    return {score: (values, [1.0] * len(values))}
