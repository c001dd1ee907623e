"""Configs the UI's tasks read (`configs/<name>.yaml`): checked by the CLI's own loader before they are written.

Each kind is read exactly as its command reads it (`data run`: `load_pipeline`; `arena`: `load_arena`;
`flywheel`: `load_flywheel`), so a bad file gets the CLI's words, naming `configs/<name>.yaml`; then every path in
it must stay inside the workspace. Nothing is written unless the file passes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel

from tunesmith.atomic import atomic_path
from tunesmith.errors import InputError
from tunesmith.ui.tasks.confine import check_paths, inside, workspace_messages

ConfigKind = Literal["data_pipeline", "arena", "flywheel"]
KINDS: tuple[str, ...] = ("data_pipeline", "arena", "flywheel")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ConfigFile(BaseModel):
    path: str
    kind: str | None
    name: str


def config_name(name: str) -> str:
    """A file name for `configs/`: letters, digits, `_ . -` (spaces become `-`), no `.yaml` twice."""
    clean = re.sub(r"\s+", "-", name.strip()).removesuffix(".yaml").removesuffix(".yml")
    if not NAME.fullmatch(clean) or ".." in clean:
        raise InputError("name", f"expected 1-64 letters, digits, '_', '.' or '-' (starting with one); got {name!r}")
    return clean


def save_config(root: Path, kind: str, name: str, text: str) -> ConfigFile:
    """Check `text` as a `kind` config named `configs/<name>.yaml`, then write it there atomically."""
    name = config_name(name)
    target = root / "configs" / f"{name}.yaml"
    shown = f"configs/{name}.yaml"
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
        check_config(root, tmp, kind, shown)
    return ConfigFile(path=shown, kind=kind, name=name)


def check_config(root: Path, path: Path, kind: str, shown: str) -> Path:
    """Read `path` (shown as `shown`) as the CLI reads a `kind` file; the folder its command will write to."""
    if kind not in KINDS:
        raise InputError("kind", f"unknown config kind {kind!r}; expected one of {', '.join(KINDS)}")
    with workspace_messages(root, path, shown):
        return {"data_pipeline": _pipeline, "arena": _arena, "flywheel": _flywheel}[kind](root, path, shown)


def _pipeline(root: Path, path: Path, shown: str) -> Path:
    from tunesmith.data.pipeline import load_pipeline

    pipeline, steps, _ = load_pipeline(path)
    check_paths(root, pipeline, path.parent, shown)
    check_paths(root, [step.config for step in steps], path.parent, shown)
    return path.parent / pipeline.output


def _arena(root: Path, path: Path, shown: str) -> Path:
    from tunesmith.arena.config import load_arena, output_folder

    cfg = load_arena(path)
    check_paths(root, cfg, root, shown)
    return root / output_folder(cfg, Path(shown))


def _flywheel(root: Path, path: Path, shown: str) -> Path:
    """As `tunesmith flywheel` reads it in the workspace: its own paths are relative to the workspace root."""
    from tunesmith.flywheel.plan import load_flywheel

    overrides = []
    train = _peek(path).get("train")
    if isinstance(train, str) and not Path(train).is_absolute():
        overrides.append(f"train={root / train}")  # read the training recipe from the workspace, as the CLI will
    plan = load_flywheel(path, overrides)
    check_paths(root, plan.recipe, root, shown)
    check_paths(root, plan.train, root, shown)
    store = plan.recipe.store
    file = store.removeprefix("sqlite:///") if store.startswith("sqlite:///") else None if "://" in store else store
    if file is None or not inside(root, root / file):
        raise InputError(f"{shown}: key 'store'", "expected the workspace's request log, e.g. traffic.db")
    return root / plan.folder


def _peek(path: Path) -> dict:
    """The file's mapping if it reads as one (the loader reports everything else in the CLI's words)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return raw if isinstance(raw, dict) else {}


def list_configs(root: Path, kind: str | None = None) -> list[ConfigFile]:
    """The YAML files in `configs/`, each with the kind its keys suggest (None when it looks like none of them)."""
    found = []
    for path in sorted((root / "configs").glob("*.yaml")):
        guessed = guess_kind(_peek(path))
        if kind is None or guessed == kind:
            found.append(ConfigFile(path=f"configs/{path.name}", kind=guessed, name=path.stem))
    return found


def guess_kind(raw: dict) -> str | None:
    if "arms" in raw:
        return "arena"
    if "teacher_model" in raw:
        return "flywheel"
    if "inputs" in raw or "ops" in raw:
        return "data_pipeline"
    return None
