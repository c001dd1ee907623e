"""A recipe as the Train page sends it (YAML text or a mapping), validated with the CLI's own schema and words.

`tunesmith train recipe.yaml` reads the file, then validates it with `validate_recipe`; here the same two steps run
on the text, naming it `recipe.yaml`, so a typo gets the very message (key, did-you-mean, expected type) the CLI
prints for that file.
"""

from __future__ import annotations

from typing import Any

import yaml

from tunesmith.config import Recipe, validate_recipe
from tunesmith.errors import InputError
from tunesmith.schema import dump_yaml

SOURCE = "recipe.yaml"  # how messages name the recipe the page is editing
EXPECTED = "a mapping of recipe sections (model, data, method, train …)"  # the CLI's words (config/recipe.py)


def parse_yaml(text: str) -> dict[str, Any]:
    """The text's mapping ({} when empty); an InputError with the line when it is not YAML or not a mapping."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"{SOURCE}:{line + 1}" if line is not None else SOURCE
        raise InputError(where, f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(SOURCE, f"expected {EXPECTED}")
    return raw


def raw_recipe(text: str | None, mapping: dict[str, Any] | None) -> dict[str, Any]:
    """The raw mapping from whichever of YAML text or a mapping was sent."""
    if mapping is not None:
        return mapping
    return parse_yaml(text or "")


def check(raw: dict[str, Any]) -> Recipe:
    """The validated recipe, paths left as written (workspace-relative); an InputError as the CLI words it."""
    return validate_recipe(raw, source=SOURCE)


def as_yaml(recipe: Recipe) -> str:
    """The recipe as YAML, every key filled in, its paths as written (a server path is never shown)."""
    return dump_yaml(recipe)
