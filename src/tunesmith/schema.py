"""What every typed settings file shares: a strict pydantic base, errors a person can act on, finding by name.

Recipes, pipelines, flywheel plans, rewards and ops all validate with pydantic; this module is the one place that
turns a `ValidationError` into an `InputError` naming the key, suggests the key or name that was probably meant,
finds a component module (a method, stage, op or reward) by its name, and writes a validated model back as YAML.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tunesmith.errors import InputError


class Strict(BaseModel):
    """Base of every settings section: unknown keys are errors, and values are re-validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest of `choices`, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def module_names(package: str) -> tuple[str, ...]:
    """The public modules of `package` (those not starting with `_`): one component each, found by name."""
    path = importlib.import_module(package).__path__
    return tuple(sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_")))


def unknown_name(kind: str, name: str, known: Iterable[str]) -> str:
    """The message for a name that is none of `known`: with a did-you-mean and the list."""
    known = list(known)
    return f"unknown {kind} '{name}'{did_you_mean(name, known)}; known: {', '.join(known)}"


def find_module(package: str, name: str, kind: str) -> ModuleType:
    """The module `package.name`; an unknown name is a ValueError with a did-you-mean (the caller knows where)."""
    known = module_names(package)
    if name not in known:
        raise ValueError(unknown_name(kind, name, known))
    return importlib.import_module(f"{package}.{name}")


def validate(model: type[BaseModel], raw: Any, where: str) -> Any:
    """`model.model_validate(raw)`; its problems become one InputError naming `where`, each key and the fix."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise input_error(exc, model, where) from None


def input_error(exc: ValidationError, model: type[BaseModel], where: str) -> InputError:
    """Every problem of `exc` as one InputError (misspelt keys first: they explain the rest), one line each."""
    problems = [_problem(err, model) for err in _distinct(exc.errors())]
    if len(problems) == 1:
        key, message = problems[0]
        return InputError(f"{where}: key '{key}'" if key else where, message)
    lines = "".join(f"\n  key '{key}': {message}" if key else f"\n  {message}" for key, message in problems)
    return InputError(where, f"{len(problems)} problems:{lines}")


def _problem(err: dict, model: type[BaseModel]) -> tuple[str, str]:
    """(the key as a person writes it, what was wrong there)."""
    at, loc = _resolve(model, err["loc"])
    if err["type"] == "extra_forbidden":
        known = list(at.model_fields)
        return ".".join(loc), f"unknown key{did_you_mean(loc[-1], known)}; known here: {', '.join(known)}"
    got = err.get("input")
    quiet = isinstance(got, dict) or err["type"] in {"missing", "value_error"}
    return ".".join(loc), f"{_expected(err)}{'' if quiet else f', got {got!r}'}"


def _distinct(errors: list[dict]) -> list[dict]:
    """Misspelt keys first; of a plain union (`ZeroConfig | str`), the first member's complaints about a value's
    insides, or, when the value fitted no member at all, one complaint naming every member that was expected."""
    ordered = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
    first_member: dict[tuple, Any] = {}
    kept: list[dict] = []
    for err in ordered:
        loc = err["loc"]
        branch = next((i for i, part in enumerate(loc) if _is_union_member(part)), None)
        if branch is None:
            kept.append(err)
        elif branch == len(loc) - 1:  # the value is none of the members: say what each would have taken
            same = next((k for k in kept if k.get("union_at") == loc[:branch]), None)
            if same is None:
                kept.append({**err, "loc": loc[:branch], "union_at": loc[:branch], "msg": str(err["msg"])})
            else:
                same["msg"] += " or " + str(err["msg"]).removeprefix("Input should be ")
        elif first_member.setdefault(loc[:branch], loc[branch]) == loc[branch]:
            kept.append(err)
    return kept


def _is_union_member(part: Any) -> bool:
    """Whether a location part names a union member pydantic tried (`ZeroConfig`, `str`, `list[str]`,
    `constrained-int`)."""
    text = str(part)
    constrained = text.startswith("constrained-")  # `Annotated[float, Field(gt=0)] | Literal["auto"]`
    return isinstance(part, str) and (text[:1].isupper() or text in _TYPE_NAMES or "[" in text or constrained)


_TYPE_NAMES = {"str", "int", "float", "bool", "none", "bytes", "dict", "list", "tuple", "set"}


def dump_yaml(model: BaseModel) -> str:
    """A validated model as YAML (JSON-safe values, keys in declaration order): the form written into artifacts."""
    return yaml.safe_dump(model.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _resolve(model: type[BaseModel], loc: tuple) -> tuple[type[BaseModel], list[str]]:
    """The model that holds the last key of `loc`, and `loc` as a person writes it (no union tags, no validators).

    A discriminated union puts the chosen tag into the location (`method.lora.r`); the tag picks the class and is
    left out of the key a person sees (`method.r`).
    """
    shown: list[str] = []
    current = model
    candidates: list[type[BaseModel]] = []
    for part in loc[:-1] if loc else ():
        text = str(part)
        if text.startswith("function-"):
            continue
        if _is_union_member(part) and not (current.model_fields.get(text)):
            current = next((c for c in candidates if c.__name__ == text), current)
            candidates = []
            continue
        tagged = [c for c in candidates if _tag(c) == text]
        if tagged:
            current, candidates = tagged[0], []
            continue
        if isinstance(part, int):
            _index(shown, part)
            continue
        shown.append(text)
        field = current.model_fields.get(text)
        candidates = _models_in(field.annotation) if field else []
        if len(candidates) == 1:
            current = candidates[0]
    if loc and isinstance(loc[-1], int):
        _index(shown, loc[-1])
    elif loc:
        shown.append(str(loc[-1]))
    return current, [p for p in shown if not p.startswith("function-")]


def _index(shown: list[str], index: int) -> None:
    """A list position joins the key before it, as a person writes it: `inputs[0]`, not `inputs.0`."""
    shown[-1:] = [f"{shown[-1]}[{index}]"] if shown else [f"[{index}]"]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model inside a field annotation (through Optional, unions, lists, dicts and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found += [m for m in _models_in(arg) if m not in found]
    return found


def _tag(model: type[BaseModel]) -> str | None:
    """The `name` literal a discriminated-union member is chosen by, if it has one."""
    field = model.model_fields.get("name")
    args = get_args(field.annotation) if field else ()
    return str(args[0]) if len(args) == 1 else None


def _expected(err: dict) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    if err["type"] == "missing":
        return "required key is missing"
    return "expected " + msg.removeprefix("Input should be ").removeprefix("input should be ")


def named_section(value: Any, kind: str, known: Iterable[str], example: str) -> Any:
    """A section told apart by its `name` (a method, stage or reward), as a mapping pydantic can dispatch on.

    A bare name becomes `{name: …}`; a missing or unknown name is a ValueError with a did-you-mean.
    """
    if isinstance(value, str):
        value = {"name": value}
    if isinstance(value, BaseModel):
        return value
    if not isinstance(value, dict) or "name" not in value:
        raise ValueError(f"expected a mapping with a 'name' key, e.g. {example}")
    if str(value["name"]) not in known:
        raise ValueError(unknown_name(kind, str(value["name"]), known))
    return value
