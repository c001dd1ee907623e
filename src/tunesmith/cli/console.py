"""Shared CLI rendering: the rich console, the progress bar behind `Progress`, and tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichBar
from rich.table import Table

from tunesmith.progress import Progress

console = Console()
errors = Console(stderr=True)


class RichProgress(Progress):
    """Renders library progress as rich bars with ETA, and notes as dim lines.

    Bars that run together share one display; once the last of them finishes it is printed (once: a display that
    is not a terminal shows only its final state) and cleared, so later bars do not print the earlier ones again.
    """

    def __init__(self, out: Console | None = None) -> None:
        self.console = out or console
        self.bar = RichBar(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            transient=False,
        )
        self.tasks: dict[str, int] = {}

    def start(self, task: str, total: int | None = None) -> None:
        if not self.tasks:
            self.bar.start()
        self.tasks[task] = self.bar.add_task(task, total=total, info="")

    def update(self, task: str, completed: int, **info: float | str) -> None:
        if task in self.tasks:
            text = "  ".join(f"{k} {number(v)}" for k, v in info.items())
            self.bar.update(self.tasks[task], completed=completed, info=text)

    def finish(self, task: str) -> None:
        if task in self.tasks:
            self.bar.stop_task(self.tasks.pop(task))
        if not self.tasks:
            self.bar.stop()
            for done in list(self.bar.task_ids):
                self.bar.remove_task(done)

    def note(self, message: str) -> None:
        self.console.print(f"[dim]{message}[/dim]")


def number(value: object) -> str:
    """A float as a person reads it (4 significant digits: loss 0.1235, not 0.123456789); the rest as is."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def table(title: str, header: list[str], rows: list[list[str]]) -> Table:
    """A rich table with right-aligned numeric columns."""
    out = Table(title=title)
    for i, name in enumerate(header):
        out.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        out.add_row(*row)
    return out
