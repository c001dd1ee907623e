"""`tunesmith flywheel RECIPE [key=value ...]`: logged traffic → curated data → student → compared → promoted."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, table


def flywheel_command(
    recipe: Path = typer.Argument(..., help="Flywheel recipe YAML file."),
    overrides: list[str] = typer.Argument(None, help="Overrides like promote.min_score=0.8 or holdout.share=0.2."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing flywheel folder of the same name."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Decide, but do not register the adapter with the server."),
) -> None:
    """Train a student on logged teacher traffic, compare them on held-out traffic, promote the student if it wins."""
    from tunesmith.flywheel.plan import load_flywheel
    from tunesmith.flywheel.report import corrections_table, cost_rows, score_table
    from tunesmith.flywheel.run import run_flywheel

    plan = load_flywheel(recipe, overrides or [])
    result = run_flywheel(plan, overwrite=overwrite, dry_run=dry_run, progress=RichProgress())
    c = result.counts
    console.print(
        f"{c['logged']} logged requests → {c['curated']} curated training rows; "
        f"student trained {result.trained.steps} steps; compared on {c['held_out']} held-out requests"
    )
    console.print(
        table("Student vs teacher (the teacher's answers are the reference)", *score_table(result.comparison))
    )
    if result.comparison.corrected:
        title = f"On the {result.comparison.corrected} corrected held-out requests"
        console.print(table(title, *corrections_table(result.comparison)))
    decision = result.decision
    if decision.registered:
        verdict = f"[green]Promoted[/green] and registered as '{decision.adapter_name}' on {decision.server}"
    elif decision.promote:
        verdict = "[green]Would promote[/green] (" + ("dry run" if dry_run else "no promote.server configured") + ")"
    else:
        verdict = "[yellow]Not promoted[/yellow]"
    console.print(f"{verdict}: {decision.reason}")
    console.print(table("Cost of the logged traffic", *cost_rows(result.costs)))
    console.print(f"Report: {result.folder / 'report.md'}")
