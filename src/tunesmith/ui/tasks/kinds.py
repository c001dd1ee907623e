"""The commands a UI task may run, each built from validated fields only: `args -> argv` and the output folder.

Every path is workspace-relative and confined; every config is read by the CLI's own loader first, so a bad one
is refused with the CLI's message before anything starts. No field is passed through as free-form argv.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from tunesmith.errors import InputError
from tunesmith.schema import Strict, unknown_name, validate
from tunesmith.ui.tasks.configs import check_config
from tunesmith.ui.tasks.confine import request_path, workspace_messages

ONNX_PRECISIONS = ("fp32", "int8", "int4")


@dataclass
class Plan:
    argv: list[str]  # after `tunesmith`
    output: str  # workspace-relative folder the command writes to
    recursive: bool = False  # artifacts: every file below `output`, not just its own files


class DataRunArgs(Strict):
    pipeline: str


class EvalArgs(Strict):
    run: str
    file: str | None = None
    limit: int | None = Field(None, ge=1)


class ArenaArgs(Strict):
    config: str


class ExportArgs(Strict):
    run: str
    format: Literal["merge", "gguf", "ollama", "onnx"]
    quant: str | None = None


class FlywheelArgs(Strict):
    config: str
    dry_run: bool = False


def data_run(root: Path, a: DataRunArgs, task_id: str) -> Plan:
    pipeline = request_path(root, a.pipeline, "args.pipeline")
    output = check_config(root, root / pipeline, "data_pipeline", pipeline)
    return Plan(["data", "run", pipeline], _relative(root, output))


def evaluate(root: Path, a: EvalArgs, task_id: str) -> Plan:
    run = _finished_run(root, a.run)
    out = f"{run}/evals/{task_id}"
    argv = ["eval", run, "--out", out]
    if a.file is not None:
        argv += ["--data", request_path(root, a.file, "args.file")]
    if a.limit is not None:
        argv += ["--limit", str(a.limit)]
    return Plan(argv, out)


def arena(root: Path, a: ArenaArgs, task_id: str) -> Plan:
    config = request_path(root, a.config, "args.config")
    output = check_config(root, root / config, "arena", config)
    return Plan(["arena", config], _relative(root, output))


def export(root: Path, a: ExportArgs, task_id: str) -> Plan:
    run = _finished_run(root, a.run)
    parts = Path(run).parts
    name = parts[1] if parts[0] == "jobs" and len(parts) == 3 else parts[-1]
    out = f"exports/{name}-{a.format}"
    argv = ["export", a.format, run, "--out", out]
    if a.quant is not None:
        argv += _quant(a.format, a.quant)
    return Plan(argv, out, recursive=True)


def flywheel(root: Path, a: FlywheelArgs, task_id: str) -> Plan:
    config = request_path(root, a.config, "args.config")
    output = check_config(root, root / config, "flywheel", config)
    argv = ["flywheel", config, f"output.name={output.name}"]  # the name it would pick by the clock, fixed now
    return Plan(argv + (["--dry-run"] if a.dry_run else []), _relative(root, output))


KINDS: dict[str, tuple[type[Strict], Callable[[Path, Any, str], Plan]]] = {
    "data_run": (DataRunArgs, data_run),
    "eval": (EvalArgs, evaluate),
    "arena": (ArenaArgs, arena),
    "export": (ExportArgs, export),
    "flywheel": (FlywheelArgs, flywheel),
}


def plan_task(root: Path, kind: str, args: dict[str, Any], task_id: str) -> tuple[dict[str, Any], Plan]:
    """The validated args (defaults filled) and the plan; InputError naming the field otherwise."""
    if kind not in KINDS:
        raise InputError("kind", unknown_name("task kind", kind, KINDS))
    model, build = KINDS[kind]
    checked = validate(model, args, "args")
    with workspace_messages(root):
        plan = build(root, checked, task_id)
    return checked.model_dump(), plan


def _finished_run(root: Path, value: str) -> str:
    """A run directory with a final model: `runs/<name>` or `jobs/<job id>/run`."""
    from tunesmith.runs import open_run

    run = request_path(root, value, "args.run")
    open_run(root / run)  # the CLI's own check and message
    return run


def _quant(format: str, quant: str) -> list[str]:
    if format == "merge":
        raise InputError("args.quant", "a merge writes the model as it is; quant is for gguf, ollama and onnx")
    if format == "onnx":
        if quant not in ONNX_PRECISIONS:
            raise InputError("args.quant", unknown_name("onnx precision", quant, ONNX_PRECISIONS))
        return ["--precision", quant]
    from tunesmith.export.llama_cpp import QUANTS

    if quant.lower() not in QUANTS:
        raise InputError("args.quant", f"unknown quant type '{quant}'; known: {', '.join(QUANTS)}")
    return ["--quant", quant.lower()]


def quant_choices() -> dict[str, list[str]]:
    """The quant/precision values each export format takes (the CLI's lists)."""
    from tunesmith.export.llama_cpp import QUANTS

    return {"merge": [], "gguf": list(QUANTS), "ollama": list(QUANTS), "onnx": list(ONNX_PRECISIONS)}


def _relative(root: Path, path: Path) -> str:
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise InputError("output", "the command's output folder is outside the workspace")
    return resolved.relative_to(root).as_posix()
