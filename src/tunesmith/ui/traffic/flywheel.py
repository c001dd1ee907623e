"""The Traffic page's flywheel turn: a starter recipe for this workspace, and the turns' decisions read back.

The starter is `examples/flywheel/flywheel.yaml` adapted to the workspace: the traffic this server logged
(`traffic.db`) is the teacher's, the student trains on the served base model, turns land in `runs/` (this
server's adapter root) and the student is registered with this server. Registering loads an adapter, which needs
an admin key; the turn runs as a task that does not inherit the server's keys, so the recipe names a variable
(`TUNESMITH_FLYWHEEL_KEY`) the admin sets, on purpose, in the shell that starts `tunesmith ui`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel

from tunesmith.models.aliases import ALIASES
from tunesmith.ui.workspace import Workspace

KEY_ENV = "TUNESMITH_FLYWHEEL_KEY"
DECISION = "decision.json"

STARTER = """\
# One flywheel turn on this workspace: learn from the traffic this server logged, compare the student with the
# teacher's answers on held-out prompts, and register it with this server if it wins. Paths are relative to the
# workspace (the turn runs there). Docs: docs/flywheel.md.
store: traffic.db                 # the request log this server writes
teacher_model: {teacher}          # the model whose logged answers are the teacher's
filter:
  since: 30d                      # ISO date/time or a span ago; also until, tag, feedback (up/down/corrected/any/none)
curate:                           # data-studio ops: exact and near dedup, then personal data masked
  - dedup: {{method: exact}}
  - dedup: {{method: near, threshold: 0.8}}
  - pii: {{mode: mask}}
holdout:
  share: 0.2                      # of the distinct logged prompts, never trained on
  seed: 0
train:                            # an inline recipe (or a path such as configs/recipe.yaml); data.train and
  model: {student}                # output are set by the flywheel
  data: {{}}
  method: {{name: lora, r: 8, alpha: 16, target_modules: all-linear}}
  train: {{max_steps: 30, batch_size: 4, learning_rate: 1.0e-3, max_length: 256, logging_steps: 5}}
compare:
  metrics: [rouge_l, exact_match]
  max_new_tokens: 64
  batch_size: 8
promote:
{promote}
  adapter_name: student
  min_score: 0.5                  # with no 'student' registered yet (the teacher scores 1.0 against itself)
  margin: 0.0                     # with one registered: the student must beat it by more than this
prices:                           # per million tokens; set them to what you pay
  currency: USD
  teacher: {{input: 2.50, output: 10.00}}
  student: {{input: 0.05, output: 0.20}}
output:
  dir: runs                       # the turn writes runs/flywheel-<UTC time>/ (decision.json, report.md, run/)
"""
PROMOTE_WITH_KEYS = f"""\
  server: {{server}}  # this server: the student is registered here (runs/ is its adapter root)
  api_key_env: {KEY_ENV}  # an admin key of this server; set it where `tunesmith ui` starts"""
PROMOTE_WITHOUT_KEYS = """\
  # server: {server}  # this server has no keys, so its admin API is closed: the turn decides but registers
  #                   # nothing. Start `tunesmith ui --keys-file FILE` to let a turn register its student."""


class Turn(BaseModel):
    """One flywheel turn found in `runs/`: its folder, report and decision (None while it is still running)."""

    folder: str
    report: str | None
    decision: dict | None
    time: float


class FlywheelInfo(BaseModel):
    starter: str  # the starter recipe (YAML)
    key_env: str  # the variable `promote.api_key_env` names
    key_set: bool  # whether it is set where this server runs (its value is never sent)
    keys_required: bool  # whether this server has keys (without, its admin API is closed: nothing is registered)
    turns: list[Turn]


def flywheel_info(space: Workspace, server_url: str, teacher: str, student: str, keys: bool) -> FlywheelInfo:
    return FlywheelInfo(
        starter=starter(server_url, teacher, student, keys),
        key_env=KEY_ENV,
        key_set=bool(os.environ.get(KEY_ENV)),
        keys_required=keys,
        turns=turns(space),
    )


def starter(server_url: str, teacher: str, student: str, keys: bool) -> str:
    """The starter recipe for a workspace served at `server_url` (teacher and student names quoted as YAML)."""
    promote = (PROMOTE_WITH_KEYS if keys else PROMOTE_WITHOUT_KEYS).format(server=server_url.rstrip("/"))
    return STARTER.format(teacher=json.dumps(teacher), student=json.dumps(student), promote=promote)


def student_model(base_name: str, base_path: str) -> str:
    """What the student's training recipe names as its model: the served base's alias when it has one (as a
    user would write it), else the folder the server loaded it from."""
    return base_name if base_name in ALIASES else base_path


def turns(space: Workspace) -> list[Turn]:
    """Every turn folder in `runs/` (one with a recipe.yaml or a decision.json), newest first."""
    found = []
    for folder in space.area("runs").iterdir():
        if not folder.is_dir() or not ((folder / DECISION).is_file() or (folder / "recipe.yaml").is_file()):
            continue
        if not (folder / "holdout.jsonl").exists() and not (folder / DECISION).exists():
            continue  # a training run's own recipe.yaml: not a flywheel turn
        report = folder / "report.md"
        found.append(
            Turn(
                folder=space.relative(folder),
                report=space.relative(report) if report.is_file() else None,
                decision=decision(space, folder / DECISION),
                time=folder.stat().st_mtime,
            )
        )
    return sorted(found, key=lambda turn: turn.time, reverse=True)


def decision(space: Workspace, path: Path) -> dict | None:
    """What the turn decided, with the registered run named inside the workspace (never a server path)."""
    try:
        made = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    run = made.pop("path", None)
    if run:
        try:
            made["run"] = space.relative(Path(run))
        except ValueError:
            made["run"] = Path(run).name
    return made
