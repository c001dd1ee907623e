"""`tunesmith eval MODEL_OR_RUN`: score a model or run on an eval file, optionally beside its base model."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, table


def eval_command(
    model: str = typer.Argument(..., help="A run directory, model alias, local folder or hub id."),
    data: Path = typer.Option(None, "--data", help="Eval file (default: the run recipe's eval.file)."),
    baseline: bool = typer.Option(None, "--baseline/--no-baseline", help="Also evaluate the run's base model."),
    metrics: str = typer.Option(None, help="Comma-separated: exact_match, classification, json, rouge_l, bleu."),
    json_fields: str = typer.Option(None, "--json-fields", help="Comma-separated fields for the json metric."),
    limit: int = typer.Option(None, help="Evaluate only the first N examples."),
    max_new_tokens: int = typer.Option(None, "--max-new-tokens"),
    probe: bool = typer.Option(
        None, "--probe/--no-probe", help="Also score general instruction following (the forgetting probe)."
    ),
    out: Path = typer.Option(None, help="Report folder (default: RUN/eval, or ./eval-report)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the report already in the default folder."),
) -> None:
    """Write report.json and report.md, and print the table."""
    from tunesmith.errors import InputError
    from tunesmith.eval.compare import compare, eval_config_for
    from tunesmith.runs import RunDir, is_run_dir

    cfg = eval_config_for(model)
    updates = {
        "metrics": metrics.split(",") if metrics else None,
        "json_fields": json_fields.split(",") if json_fields else None,
        "limit": limit,
        "max_new_tokens": max_new_tokens,
        "baseline": baseline,
        "forgetting_probe": probe,
    }
    cfg = cfg.model_validate({**cfg.model_dump(), **{k: v for k, v in updates.items() if v is not None}})
    data = data or cfg.file
    if data is None:
        raise InputError("--data", "no eval file given and the run's recipe has no eval.file")
    if out is None:
        out = RunDir(Path(model)).eval_dir if is_run_dir(model) else Path("eval-report")
        if (out / "report.json").is_file() and not overwrite:
            raise InputError(
                str(out),
                "already holds an eval report (for a run: the one training wrote); pass --out DIR to write this "
                "one beside it, or --overwrite to replace it",
            )
    results, _ = compare(model, data, cfg, out, cfg.baseline, RichProgress())
    print_comparison(results, out)


def print_comparison(results, out: Path) -> None:
    """Print the side-by-side table and where the report went."""
    from tunesmith.eval.report import comparison_rows, header

    console.print(table("Evaluation", header(results), comparison_rows(results)))
    console.print(f"Report: {out / 'report.md'}")
