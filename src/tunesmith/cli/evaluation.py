"""`tunesmith eval MODEL_OR_RUN`: score a model or run on an eval file, optionally beside its base model."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, table


def eval_command(
    model: str = typer.Argument(..., help="A run directory, model alias, local folder or hub id."),
    data: Path = typer.Option(None, "--data", help="Eval file (default: the run recipe's eval.file)."),
    baseline: bool = typer.Option(None, "--baseline/--no-baseline", help="Also evaluate the run's base model."),
    metrics: str = typer.Option(
        None, help="Comma-separated: exact_match, contains, classification, json, rouge_l, bleu, tool_call."
    ),
    json_fields: str = typer.Option(None, "--json-fields", help="Comma-separated fields for the json metric."),
    limit: int = typer.Option(None, help="Evaluate only the first N examples."),
    max_new_tokens: int = typer.Option(None, "--max-new-tokens"),
    probe: bool = typer.Option(
        None, "--probe/--no-probe", help="Also score general instruction following (the forgetting probe)."
    ),
    probe_limit: int = typer.Option(
        None, "--probe-limit", help="Probe prompts scored (default: the recipe's eval.probe_limit, 400); 1200: all."
    ),
    out: Path = typer.Option(None, help="Report folder (default: RUN/eval, or ./eval-report)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the report already in the default folder."),
    benchmarks: str = typer.Option(
        None,
        "--benchmarks",
        help="Comma-separated lm-evaluation-harness tasks (hellaswag,arc_easy,mmlu …); without --data, only these.",
    ),
    benchmark_include: Path = typer.Option(
        None, "--benchmark-include", help="A folder of your own lm_eval task YAMLs (see examples/benchmarks/)."
    ),
    num_fewshot: int = typer.Option(
        None, "--num-fewshot", help="Few-shot examples per benchmark question (default: each task's own)."
    ),
    judge_model: str = typer.Option(
        None, "--judge-model", help="Judge the tuned replies against the base's: a served model name, or a model ref."
    ),
    judge_url: str = typer.Option(None, "--judge-url", help="The judge's OpenAI-compatible endpoint (omit: local)."),
    judge_key_env: str = typer.Option(
        None, "--judge-key-env", help="Variable holding the judge endpoint's API key (default: none)."
    ),
    seeds: int = typer.Option(
        None, "--seeds", min=1, help="Score the first N runs of `train --seeds` (MODEL: their <name>-seeds folder)."
    ),
) -> None:
    """Write report.json and report.md (with --benchmarks: benchmarks.json), and print the table."""
    from tunesmith.errors import InputError
    from tunesmith.eval.compare import compare, eval_config_for
    from tunesmith.eval.judge import judge_line
    from tunesmith.eval.judge_compare import judge_against_base, judge_options, prepare_judge
    from tunesmith.runs import RunDir, is_run_dir

    if seeds is not None:
        from tunesmith.eval.seeds import chosen_runs, seeds_eval_config

        if benchmarks or judge_model:
            raise InputError("--seeds", "scores the seed runs' task metrics; drop --benchmarks and --judge-model")
        chosen_runs(Path(model), seeds)  # a single model is refused here: greedy decoding would repeat its numbers
    cfg = seeds_eval_config(Path(model)) if seeds is not None else eval_config_for(model)
    updates = {
        "metrics": metrics.split(",") if metrics else None,
        "json_fields": json_fields.split(",") if json_fields else None,
        "limit": limit,
        "max_new_tokens": max_new_tokens,
        "baseline": baseline,
        "forgetting_probe": probe,
        "probe_limit": probe_limit,
    }
    cfg = cfg.model_validate({**cfg.model_dump(), **{k: v for k, v in updates.items() if v is not None}})
    bench = (model, benchmarks, benchmark_include, limit, num_fewshot, cfg.batch_size)
    if benchmarks and data is None:  # benchmarks alone: the recipe's eval file waits for a plain `tunesmith eval`
        if judge_model:
            raise InputError("--judge-model", "the judge compares task replies: give --data with --benchmarks")
        print_benchmarks(*bench, out or (RunDir(Path(model)).eval_dir if is_run_dir(model) else Path("eval-report")))
        return
    data = data or cfg.file
    if data is None:
        raise InputError("--data", "no eval file given and the run's recipe has no eval.file")
    if seeds is not None:
        print_seeds(Path(model), seeds, data, cfg, out or Path(model) / "eval", overwrite)
        return
    if out is None:
        out = RunDir(Path(model)).eval_dir if is_run_dir(model) else Path("eval-report")
        if (out / "report.json").is_file() and not overwrite:
            raise InputError(
                str(out),
                "already holds an eval report (for a run: the one training wrote); pass --out DIR to write this "
                "one beside it, or --overwrite to replace it",
            )
    judge_cfg = judge_options(judge_model, judge_url, judge_key_env)
    judge = prepare_judge(judge_cfg, model, cfg.baseline) if judge_cfg else None  # before any generation
    results, _ = compare(model, data, cfg, out, cfg.baseline, RichProgress())
    print_comparison(results, out)
    if judge is not None:
        summary = judge_against_base(judge, results, data, cfg, out, judge_cfg.prompt, RichProgress())
        console.print(f"{judge_line(summary)}\nJudge records: {out / 'judge.jsonl'}", highlight=False, markup=False)
    if benchmarks:
        print_benchmarks(*bench, out)


def print_comparison(results, out: Path) -> None:
    """Print the side-by-side table and where the report went."""
    from tunesmith.eval.report import comparison_rows, header

    console.print(table("Evaluation", header(results), comparison_rows(results)))
    console.print(f"Report: {out / 'report.md'}")


def print_seeds(folder: Path, n: int, data: Path, cfg, out: Path, overwrite: bool) -> None:
    """Score the first `n` seed runs alone, print each metric's mean ± spread, and where the summary went."""
    from tunesmith.errors import InputError
    from tunesmith.eval.seeds import SUMMARY, SUMMARY_MD, evaluate_seeds, summary_header, summary_rows

    if (out / SUMMARY).is_file() and not overwrite:
        raise InputError(str(out), "already holds a seeds summary; pass --out DIR, or --overwrite to replace it")
    summary = evaluate_seeds(folder, n, data, cfg, out, RichProgress())
    console.print(table(f"Evaluation over {n} seeds", summary_header(summary), summary_rows(summary)))
    console.print(f"Summary: {out / SUMMARY_MD}; each run's report: {out}/seed-*/report.md")


def print_benchmarks(
    model: str, tasks: str, include: Path | None, limit: int | None, num_fewshot: int | None, batch: int, out: Path
) -> None:
    """Run the lm-evaluation-harness tasks, print task → metric ± stderr, and where benchmarks.json went."""
    from tunesmith.eval.benchmarks import BENCHMARKS_FILE, run_benchmarks, table_rows

    names = [t.strip() for t in tasks.split(",") if t.strip()]
    report = run_benchmarks(model, names, include, limit, batch, num_fewshot, out, RichProgress())
    title = f"Benchmarks (lm-evaluation-harness {report['lm_eval_version']})"
    console.print(table(title, ["task", "metric", "value", "stderr", "shots"], table_rows(report)))
    if limit:
        console.print(f"[dim]--limit {limit}: a sample of each task, not comparable with published numbers[/dim]")
    console.print(f"Results: {out / BENCHMARKS_FILE}")
