"""Turn pydantic validation errors in pipeline, op and report settings into InputErrors a person can act on."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from tunesmith.errors import InputError


def validate_options(model: type[BaseModel], raw: dict, where: str) -> Any:
    """Validate `raw` as `model`; the first problem becomes an InputError naming the key and what was expected."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(part) for part in err["loc"])
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        if err["type"] == "extra_forbidden":
            known = _fields_at(model, err["loc"][:-1])
            close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown option{hint}; known here: {', '.join(known)}{more}"
            raise InputError(f"{where}: key '{key}'", message) from None
        message = str(err["msg"]).removeprefix("Value error, ")
        got = "" if err["type"] == "missing" or isinstance(err.get("input"), dict) else f", got {err.get('input')!r}"
        raise InputError(f"{where}: key '{key}'" if key else where, f"{message}{got}{more}") from None


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The option names of the (nested) model at `loc`, for 'known here' hints."""
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            break
        nested = [a for a in (field.annotation, *getattr(field.annotation, "__args__", ())) if _is_model(a)]
        if not nested:
            break
        model = nested[0]
    return list(model.model_fields)


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)
