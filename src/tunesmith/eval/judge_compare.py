"""`tunesmith eval RUN --judge-model …`: the tuned model's replies judged against its base model's on the eval file,
with the task metric's per-example scores beside them; judge.jsonl and judge.json land in the report folder."""

from __future__ import annotations

from pathlib import Path

from tunesmith.config import EvalConfig
from tunesmith.data.teacher import Teacher
from tunesmith.errors import InputError
from tunesmith.eval.judge import JudgeSummary, conversation_text, judge_pairs, make_judge, write_judgement
from tunesmith.eval.judge_config import JUDGE_PROMPT, JudgeConfig
from tunesmith.eval.metrics import per_example
from tunesmith.eval.run import EvalResult, eval_examples
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import is_run_dir


def judge_options(model: str | None, url: str | None = None, key_env: str | None = None) -> JudgeConfig | None:
    """The judge the eval options name (None: no judge): an endpoint when `url` is given, else a local model ref."""
    if model is None:
        if url is not None or key_env is not None:
            raise InputError("--judge-url" if url else "--judge-key-env", "give --judge-model too: the judge's name")
        return None
    if key_env is not None and url is None:
        raise InputError("--judge-key-env", "a local judge needs no key; give --judge-url for an endpoint judge")
    if url is None:
        return JudgeConfig(kind="local", model=model)
    return JudgeConfig(kind="openai", model=model, base_url=url, api_key_env=key_env)


def prepare_judge(cfg: JudgeConfig, ref: str | Path, baseline: bool) -> Teacher:
    """The judge for an eval of `ref`, checked before anything is generated: the eval must compare a run with its
    base model (the base's replies are the reference), and an endpoint's key variable must be set."""
    if not (baseline and is_run_dir(ref)):
        raise InputError(
            "--judge-model",
            "the judge compares a run's replies with its base model's; expected a run directory evaluated with "
            "its baseline (not --no-baseline)",
        )
    return make_judge(cfg, "--judge-key-env")


def judge_against_base(
    judge: Teacher,
    results: list[EvalResult],
    data: Path,
    cfg: EvalConfig,
    out_dir: Path,
    template: str = JUDGE_PROMPT,
    progress: Progress = SILENT,
) -> JudgeSummary:
    """Judge the last result's replies (tuned) against the first's (base), write judge.jsonl and judge.json into
    `out_dir`, and return the summary; the first eval metric scores each reply for `metric_agreement`."""
    if len(results) < 2:
        raise InputError("--judge-model", "no base model was evaluated to judge the tuned replies against")
    base, tuned = results[0].predictions, results[-1].predictions
    prompts = [conversation_text(p) for p in eval_examples(data, cfg.limit).prompts]
    gold = [row["reference"] for row in tuned]
    candidate = [row["prediction"] for row in tuned]
    reference = [row["prediction"] for row in base]
    metric = cfg.metrics[0]
    progress.note(f"Judging {len(prompts)} tuned replies against the base model's, in both orders ({metric} beside)")
    summary, pairs = judge_pairs(
        judge, prompts, candidate, reference, template,
        candidate_scores=per_example(metric, candidate, gold, json_fields=cfg.json_fields),
        reference_scores=per_example(metric, reference, gold, json_fields=cfg.json_fields),
    )  # fmt: skip
    write_judgement(summary, pairs, out_dir)
    return summary
