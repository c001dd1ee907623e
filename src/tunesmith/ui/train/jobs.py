"""Launching a recipe from the Train page through the server's job runner (the same runner as the jobs API).

Every path in the recipe is workspace-relative and confined to the workspace before the job is made; the job
remembers the relative names, so its events and errors say `data/chat.jsonl`, never a server path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tunesmith.config.recipe import PATH_KEYS
from tunesmith.jobs.create import Trainer, create_recipe_job
from tunesmith.jobs.store import Job
from tunesmith.ui.train.text import check

Resolve = Callable[[str, str], Path]  # (relative path, the key it came from) -> confined absolute path
FORCED = (("output", "dir"),)  # the job decides where its run goes


def confine(raw: dict[str, Any], resolve: Resolve) -> tuple[dict[str, Any], dict[str, str]]:
    """A copy of `raw` with each path key made absolute by `resolve` (which refuses one outside the workspace),
    and {absolute path: relative path as written} for the job's messages."""
    raw = copy.deepcopy(raw)
    shown: dict[str, str] = {}
    for *sections, key in PATH_KEYS:
        if (*sections, key) in FORCED:
            continue
        node: Any = raw
        for section in sections:
            node = node.get(section) if isinstance(node, dict) else None
        if not isinstance(node, dict) or not isinstance(node.get(key), (str, list)):
            continue
        param = ".".join((*sections, key))
        values = node[key] if isinstance(node[key], list) else [node[key]]
        absolute = []
        for value in values:
            if not isinstance(value, str):
                absolute.append(value)
                continue
            path = resolve(value, param)
            shown[str(path)] = value
            absolute.append(str(path))
        node[key] = absolute if isinstance(node[key], list) else absolute[0]
    return raw, shown


def launch(
    trainer: Trainer, raw: dict[str, Any], resolve: Resolve, key_id: str | None, suffix: str | None, root: Path
) -> Job:
    """Validate `raw` (the CLI's messages), confine its paths, and queue it as a job of `trainer`'s runner."""
    check(raw)  # first, with the paths as written: the message names what the person typed
    confined, shown = confine(raw, resolve)
    shown[str(root)] = "the workspace"
    return create_recipe_job(trainer, check(confined), key_id, shown=shown, suffix=suffix)
