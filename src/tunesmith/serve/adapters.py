"""What to serve: the base model and named adapters, from model references, run directories and adapter folders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tunesmith.config import DEFAULT_MODEL
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, is_run_dir, open_run

# Letters, digits, '_', '-' and ':' (fine-tuned models are `ft:<base>:<suffix>:<job id>`), nothing else: no path
# separators or dots (no traversal, and PEFT module names stay valid).
ADAPTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:-]{0,191}")


@dataclass
class ServePlan:
    """A resolved base (folder or hub id), the name clients use for it, and adapter folders by name."""

    base: str
    base_name: str
    adapters: dict[str, Path] = field(default_factory=dict)


def check_adapter_name(name: str) -> str:
    """`name` if it is a valid adapter name, else an InputError saying what is allowed."""
    if not ADAPTER_NAME.fullmatch(name):
        expected = "1-192 letters, digits, '_', '-' or ':', starting with a letter or digit"
        raise InputError(f"adapter name {name!r}", f"invalid; expected {expected}")
    return name


def parse_adapter_option(text: str) -> tuple[str, str]:
    """`name=PATH` from the command line."""
    name, sep, path = text.partition("=")
    if not sep or not path:
        raise InputError(f"--adapter {text}", "expected NAME=RUN_DIR (or NAME=ADAPTER_FOLDER)")
    return check_adapter_name(name), path


def plan(model: str | None, adapters: list[tuple[str, str]], progress: Progress = SILENT) -> ServePlan:
    """Resolve the base (MODEL, else the first adapter run's base, else the default model) and every adapter."""
    from tunesmith.models.resolve import resolve_model

    found: dict[str, Path] = {}
    if model and is_run_dir(model):
        run = open_run(model)
        if run.is_adapter():
            base_ref = _run_base(run.recipe)
            found[check_adapter_name(Path(model).resolve().name)] = run.final
        else:
            return _with_adapters(ServePlan(str(run.final), Path(model).resolve().name), adapters)
    elif model:
        base_ref = model
    elif adapters and is_run_dir(adapters[0][1]):
        base_ref = _run_base(open_run(adapters[0][1]).recipe)
    else:
        base_ref = DEFAULT_MODEL
    base = resolve_model(base_ref, progress)
    name = Path(base_ref).name if Path(base_ref).expanduser().is_dir() else base_ref
    return _with_adapters(ServePlan(base, name, found), adapters)


def _with_adapters(served: ServePlan, adapters: list[tuple[str, str]]) -> ServePlan:
    for name, path in adapters:
        if name in served.adapters or name == served.base_name:
            raise InputError(f"--adapter {name}={path}", f"the name '{name}' is already taken")
        served.adapters[name] = adapter_folder(path, served.base)
    return served


def adapter_folder(path: str | Path, base: str) -> Path:
    """The PEFT adapter folder of a run directory or adapter folder; a run must have been trained on `base`."""
    from tunesmith.models.resolve import resolve_model

    if is_run_dir(path):
        run = open_run(path)
        if not run.is_adapter():
            raise InputError(str(path), "run is a full fine-tune, not an adapter; serve it as the model itself")
        trained_on = resolve_model(_run_base(run.recipe))
        if not _same_model(trained_on, base):
            raise InputError(str(path), f"adapter was trained on '{trained_on}', but the served base is '{base}'")
        return run.final
    folder = Path(path)
    if (folder / "adapter_config.json").is_file():
        return folder
    raise InputError(str(path), "not a run directory or a PEFT adapter folder (no adapter_config.json)")


def _run_base(recipe: Path) -> str:
    from tunesmith.config import load_run_recipe

    return load_run_recipe(recipe).model


def _same_model(a: str, b: str) -> bool:
    pa, pb = Path(a).expanduser(), Path(b).expanduser()
    if pa.exists() and pb.exists():
        return pa.resolve() == pb.resolve()
    return a == b


class OutsideRoots(InputError):
    """A runtime adapter load named nothing servable inside the adapter roots (said the same way either way)."""

    def __init__(self) -> None:
        super().__init__("path", "no adapter there inside the server's adapter roots")


def confined_adapter(given: str, roots: tuple[Path, ...]) -> Path:
    """The adapter (run directory or PEFT folder) `given` names, by a path relative to an adapter root or an
    absolute path inside one; symlinks are followed before the check, so none leads out. Anything else, missing
    or outside, is the same OutsideRoots: a client learns nothing about the disk beyond the roots."""
    candidate = Path(given)
    if not given or "\x00" in given:
        raise OutsideRoots()
    for root in roots:
        root = root.resolve()
        target = (candidate if candidate.is_absolute() else root / candidate).resolve()
        if target.is_relative_to(root) and _is_adapter(target):
            return target
    raise OutsideRoots()


def registered(roots: tuple[Path, ...], base: str, progress: Progress = SILENT) -> dict[str, Path]:
    """Every adapter directly inside the roots, by folder name: the adapters the server may load on request.

    Folders that are not adapters, adapters trained on another base and names that are not valid adapter names
    are passed over with a note, never fatal: a root is usually a `runs/` folder with other things in it."""
    found: dict[str, Path] = {}
    for root in roots:
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if not _is_adapter(folder):
                continue
            try:
                name = check_adapter_name(folder.name)
                if name in found:
                    raise InputError(str(folder), f"the name '{name}' is already taken by {found[name]}")
                found[name] = adapter_folder(folder, base)
            except InputError as exc:
                progress.note(f"not served: {exc}")
    return found


def _is_adapter(folder: Path) -> bool:
    if is_run_dir(folder):
        return RunDir(folder).is_adapter()
    return (folder / "adapter_config.json").is_file()
