"""What an OpenAI `response_format` asks for, read once for every backend and for constrained decoding."""

from __future__ import annotations

from tunesmith.serve.errors import invalid


def requested_json(response_format: dict | None) -> tuple[str, dict | None]:
    """What an OpenAI `response_format` asks for: its type, and for `json_schema` the schema (a 400 when empty)."""
    kind = (response_format or {}).get("type", "text")
    if kind != "json_schema":
        return kind, None
    schema = (response_format.get("json_schema") or {}).get("schema")
    if not isinstance(schema, dict) or not schema:
        raise invalid("response_format.json_schema.schema must be a non-empty JSON schema.", "response_format")
    return kind, schema
