"""`evaluate`: score a base model or a run on an eval file — validation loss plus generation metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from tunesmith.config import EvalConfig
from tunesmith.data.loading import load_messages
from tunesmith.eval import metrics as metric_fns
from tunesmith.eval.intervals import Resampled, intervals, loss_samples, metric_samples, probe_samples
from tunesmith.eval.loss import example_losses, loss_scores
from tunesmith.models.generate import generate
from tunesmith.models.loading import ModelSource, load_for_inference
from tunesmith.models.tool_calls import assistant_text
from tunesmith.progress import SILENT, Progress


@dataclass
class EvalResult:
    """One model's scores on one eval file, with every prediction kept for inspection; `intervals` holds each
    score's 95% bootstrap interval over examples, `samples` what it resamples (for paired tests between models)."""

    label: str
    metrics: dict[str, float]
    predictions: list[dict] = field(default_factory=list)
    probe_predictions: list[dict] = field(default_factory=list)
    intervals: dict[str, dict] = field(default_factory=dict)
    samples: dict[str, Resampled] = field(default_factory=dict, repr=False)


class EvalExamples(NamedTuple):
    """Each record's conversation up to its last assistant reply, that reply as text (tool calls written in the
    fallback format, which the `tool_call` metric reads), and the functions the record offers (None: none)."""

    prompts: list[list[dict]]
    references: list[str]
    tools: list[list[dict] | None]


def eval_examples(path: Path, limit: int | None = None) -> EvalExamples:
    """The eval file's examples (the first `limit`, when given)."""
    _, rows = load_messages(path)
    examples = EvalExamples([], [], [])
    for row in rows[:limit] if limit else rows:
        prompt, reference = split_last_reply(row)
        examples.prompts.append(prompt)
        examples.references.append(reference)
        examples.tools.append(row.get("tools"))
    return examples


def split_last_reply(row: dict) -> tuple[list[dict], str]:
    """A chat record's conversation up to its last assistant reply, and that reply as text (tool calls in the
    fallback format); message keys with no value are dropped."""
    messages = [{k: v for k, v in m.items() if v is not None} for m in row["messages"]]
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    return messages[:last], assistant_text(messages[last])


def evaluate(source: ModelSource, data: Path, cfg: EvalConfig, progress: Progress = SILENT) -> EvalResult:
    """Validation loss/perplexity and the recipe's generation metrics for one model, each with its interval."""
    metric_fns.check_names(cfg.metrics)
    prompts, refs, tools = eval_examples(data, cfg.limit)
    model, tokenizer = load_for_inference(source)
    progress.note(f"Evaluating {source.label} on {len(prompts)} examples from {data}")
    nll, tokens = example_losses(model, tokenizer, _full(prompts, refs), tools=tools)
    scores = {f"val_{k}": v for k, v in loss_scores(nll, tokens).items()}
    samples = loss_samples(nll, tokens)
    task = f"{source.label}: eval replies"
    preds = generate(
        model, tokenizer, prompts, cfg.max_new_tokens, cfg.batch_size, progress=progress, tools=tools, task=task
    )
    scores.update(metric_fns.compute(cfg.metrics, preds, refs, json_fields=cfg.json_fields))
    samples.update(metric_samples(cfg.metrics, preds, refs, cfg.json_fields))
    rows = [{"prompt": p[-1]["content"], "reference": r, "prediction": y} for p, r, y in zip(prompts, refs, preds)]
    probe_rows: list[dict] = []
    if cfg.forgetting_probe:
        from tunesmith.eval.probe import model_cache_key, probe_size, run_probe

        limit, key = probe_size(cfg.limit, cfg.probe_limit), model_cache_key(source)
        probe_scores, probe_rows = run_probe(
            model, tokenizer, cfg.batch_size, progress, limit, source.label, cache_key=key
        )
        scores.update({f"probe/{k}": v for k, v in probe_scores.items()})
        samples.update(probe_samples(probe_rows))
    samples = {name: found for name, found in samples.items() if name in scores}
    return EvalResult(source.label, scores, rows, probe_rows, intervals(samples), samples)


def _full(prompts: list[list[dict]], refs: list[str]) -> list[list[dict]]:
    return [[*p, {"role": "assistant", "content": r}] for p, r in zip(prompts, refs)]
