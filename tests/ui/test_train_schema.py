"""Every key a recipe can hold is described: the Train page's form shows the description as the key's help."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel

from tunesmith.config import Recipe
from tunesmith.config.methods import METHOD_CLASSES
from tunesmith.config.stages import STAGE_CLASSES
from tunesmith.ui.train.schema import recipe_schema


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model inside an annotation (through Optional, unions, lists, dicts and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in models_in(arg)]


def every_section() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [Recipe, *METHOD_CLASSES, *STAGE_CLASSES]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            todo += models_in(field.annotation)
    return seen


def test_every_recipe_key_has_a_description():
    sections = every_section()
    assert len(sections) > 40  # recipe sections, methods, stages, rewards and graders
    missing = [f"{m.__name__}.{k}" for m in sections for k, f in m.model_fields.items() if not f.description]
    assert missing == []


def test_the_schema_shows_defaults_even_of_sections_made_by_a_factory():
    schema = recipe_schema()
    assert schema["properties"]["train"]["default"]["learning_rate"] == "auto"
    assert schema["properties"]["stage"]["default"] == {"name": "sft"}
    lora = schema["$defs"]["LoraConfig"]["properties"]
    assert lora["r"]["default"] == 16 and lora["r"]["description"]
