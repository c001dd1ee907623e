"""The recipe's JSON schema for the Train page's form: every key with its default and description.

Built from the same pydantic models `tunesmith train` validates with (`tunesmith.config.Recipe`), so the form can
offer nothing the CLI would refuse; sections made by a default factory (method, stage, train …) show their defaults.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, NoDefault

from tunesmith.config import Recipe


class _WithFactoryDefaults(GenerateJsonSchema):
    """pydantic leaves out defaults made by a factory; the form needs them (the default method is lora, …)."""

    def get_default_value(self, schema: Any) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return factory()
        return schema.get("default", NoDefault)


@lru_cache(maxsize=1)
def recipe_schema() -> dict[str, Any]:
    """The Recipe's JSON schema (validation mode): `$defs` per section, methods and stages as `oneOf` by `name`."""
    return Recipe.model_json_schema(schema_generator=_WithFactoryDefaults)
