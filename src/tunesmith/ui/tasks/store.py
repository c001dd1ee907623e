"""UI tasks on disk: `tasks/<id>/task.json` (the record, written atomically) and `tasks/<id>/log.txt` (the command's
stdout and stderr). The folder is the whole state, so a restarted server finds every task as it was left."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from tunesmith.atomic import write_text
from tunesmith.serve.errors import redact_paths
from tunesmith.ui.tasks.confine import relative_text

Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
DONE = ("succeeded", "failed", "cancelled")
LOG_CHUNK = 256 * 1024  # the most log bytes one read returns; the page asks again from the new offset
ERROR_LINES = 12  # a failed task's error: at most this many lines from the CLI's last `error:` line on


class TaskInfo(BaseModel):
    """A CLI command the UI runs for the user: what it was asked, how it went, and what it wrote."""

    id: str
    kind: str
    status: Status = "queued"
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    args: dict[str, Any]
    command: str  # as a user would type it in the workspace (paths workspace-relative)
    output: str  # the workspace-relative folder the command writes its artifacts to
    artifacts: list[str] = []
    error: str | None = None  # the CLI's own message when it failed


class Task(TaskInfo):
    """A task as stored: with the argv the runner gives `python -m tunesmith`."""

    argv: list[str] = []

    def info(self) -> TaskInfo:
        return TaskInfo.model_validate(self.model_dump(exclude={"argv"}))


class TaskLog(BaseModel):
    text: str
    offset: int
    done: bool


class TaskStore:
    """The tasks of one workspace's `tasks/` folder."""

    def __init__(self, root: Path, folder: Path):
        self.root, self.folder = root, folder

    @staticmethod
    def new_id() -> str:
        return f"task-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"

    def new(self, task_id: str, kind: str, args: dict[str, Any], argv: list[str], output: str) -> Task:
        """Record a queued task."""
        task = Task(
            id=task_id,
            kind=kind,
            created_at=time.time(),
            args=args,
            command=" ".join(["tunesmith", *(_quote(a) for a in argv)]),
            output=output,
            argv=argv,
        )
        self.dir(task.id).mkdir(parents=True, exist_ok=True)
        self.log_path(task.id).touch()
        self.save(task)
        return task

    def dir(self, task_id: str) -> Path:
        return self.folder / task_id

    def log_path(self, task_id: str) -> Path:
        return self.dir(task_id) / "log.txt"

    def save(self, task: Task) -> None:
        write_text(self.dir(task.id) / "task.json", task.model_dump_json(indent=1))

    def get(self, task_id: str) -> Task | None:
        """The task, or None for an unknown (or malformed) id."""
        if not re.fullmatch(r"task-[0-9a-f-]{1,64}", task_id):
            return None
        try:
            return Task.model_validate_json((self.dir(task_id) / "task.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def all(self, kind: str | None = None) -> list[Task]:
        """Every task (of `kind`), newest first."""
        found = [self.get(p.name) for p in self.folder.glob("task-*") if p.is_dir()]
        tasks = [t for t in found if t is not None and (kind is None or t.kind == kind)]
        return sorted(tasks, key=lambda t: (t.created_at, t.id), reverse=True)

    def read_log(self, task: Task, offset: int) -> TaskLog:
        """The log from byte `offset` (at most LOG_CHUNK bytes, cut at a whole UTF-8 character)."""
        path = self.log_path(task.id)
        with path.open("rb") as f:
            f.seek(max(0, offset))
            raw = f.read(LOG_CHUNK)
            size = f.seek(0, 2)
        raw = raw[: _whole_chars(raw)]
        end = max(0, offset) + len(raw)
        done = task.status in DONE and end >= size
        return TaskLog(text=self.scrub(raw.decode("utf-8", "replace")), offset=end, done=done)

    def error_from_log(self, task: Task, code: int) -> str:
        """The CLI's own message (from its last `error:` line on), or the last line it wrote, with no server path."""
        lines = self.log_path(task.id).read_text(encoding="utf-8", errors="replace").rstrip().splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("error:")]
        if starts:
            text = "\n".join(lines[starts[-1] : starts[-1] + ERROR_LINES])
            text = text.removeprefix("error:").strip()
        else:
            last = next((line.strip() for line in reversed(lines) if line.strip()), "")
            text = f"the command ended with exit status {code}" + (f": {last}" if last else "")
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        """`text` with the workspace named `.` and any other server path hidden."""
        return redact_paths(relative_text(self.root, text))


def _whole_chars(raw: bytes) -> int:
    """How many leading bytes of `raw` end on a UTF-8 character boundary."""
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if byte < 0x80:
            return len(raw)
        if byte >= 0xC0:  # a lead byte: whole if its sequence fits in what is left
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(raw) if back >= need else len(raw) - back
    return len(raw)


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"
