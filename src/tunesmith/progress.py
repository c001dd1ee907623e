"""The one progress helper: the library reports through it, the CLI renders it (rich); the default is silent."""

from __future__ import annotations


class Progress:
    """Receives progress from long library calls; subclass it to show or record what happens."""

    def start(self, task: str, total: int | None = None) -> None:
        """A task with `total` steps (None when unknown) begins."""

    def update(self, task: str, completed: int, **info: float | str) -> None:
        """`completed` steps of `task` are done; `info` carries live numbers such as loss."""

    def finish(self, task: str) -> None:
        """The task is over."""

    def note(self, message: str) -> None:
        """A one-line message a person should see (e.g. a one-time model conversion)."""


SILENT = Progress()
