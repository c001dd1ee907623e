"""`tunesmith arena ARENA.yaml`: answer one task with every arm, then score, price, judge and recommend."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, table


def arena_command(
    arena: Path = typer.Argument(..., help="Arena file: task, arms, cost (see examples/arena/)."),
    out: Path = typer.Option(
        None, "--out", help="Report folder (default: the file's output, or runs/<file stem>-arena)."
    ),
) -> None:
    """Write report.json and report.html (answers are cached per arm in OUT/arms/), and print the table."""
    from tunesmith.arena.config import load_arena, output_folder
    from tunesmith.arena.run import run_arena

    cfg = load_arena(arena)
    folder = out or output_folder(cfg, arena)
    report = run_arena(cfg, folder, RichProgress())
    console.print(table("Arena", *summary_rows(report)))
    for arm in report["arms"]:
        if arm["status"] != "ok":
            console.print(f"[red]{arm['name']} failed[/red]: {arm['error']}")
    for arm in report["arms"]:
        if "judge" in arm:
            console.print(judge_text(arm["name"], arm["judge"], report["judge"]["reference"]), highlight=False)
    verdict = report["recommendation"]
    console.print(f"[bold]{verdict['verdict']}[/bold]")
    for line in verdict["claims"] + verdict.get("signals", []):
        console.print(f"  • {line}")
    console.print(f"Report: {folder / 'report.html'}")


def summary_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    """The printed table: one row per arm."""
    currency, primary = report["cost"]["currency"], report["task"]["primary"]
    header = ["arm", "kind", primary, "95% CI", "p50 s", "p95 s", "tokens in/out", f"{currency}/1k req", "one-off"]
    rows = []
    for arm in report["arms"]:
        if arm["status"] != "ok":
            rows.append([arm["name"], arm["kind"], "failed", "", "", "", "", "", ""])
            continue
        p, lat, tok, cost = arm["primary"], arm["latency"], arm["tokens"], arm["cost"]
        rows.append([
            arm["name"], arm["kind"], f"{p['mean']:.3f}", f"[{p['low']:.3f}, {p['high']:.3f}]",
            _num(lat["p50"], 2), _num(lat["p95"], 2), f"{_num(tok['prompt'], 0)}/{_num(tok['completion'], 0)}",
            _num(cost["per_1k"]["value"], 4), _num(cost["one_off"]["value"], 4),
        ])  # fmt: skip
    return header, rows


def judge_text(name: str, judged: dict, reference: str) -> str:
    """One line per judged arm: its win rate against the reference, and how far to trust the judge."""
    if judged["status"] != "ok":
        return f"judge: {name} vs {reference} failed: {judged['error']}"
    return (
        f"judge: {name} vs {reference}: win rate {_num(judged['win_rate'], 3)} (LC {_num(judged['lc_win_rate'], 3)}), "
        f"{judged['wins']}/{judged['ties']}/{judged['losses']} wins/ties/losses; consistency "
        f"{_num(judged['consistency'], 2)}, first position chosen {_num(judged['first_position_rate'], 2)}, "
        f"agrees with the metric {_num(judged['metric_agreement'], 2)} (n={judged['metric_agreement_n']})"
    )


def _num(value, digits: int) -> str:
    return "unknown" if value is None else f"{value:.{digits}f}"
