"""OpenAI's grader objects (reinforcement jobs) as the grpo stage's rewards.

tunesmith's grader rewards take OpenAI's fields (config/rewards.py), so the mapping is a rename: `type` becomes
the reward's `name`, and OpenAI's own `name` (a label) becomes `label`. Where a judge model is called and with
which key is the server's business, not the request's: a grader naming `base_url` or `api_key_env` is refused,
so a job cannot send the server's secrets elsewhere. A `python` grader runs the job's code on the server: refused
unless the server was started with `--allow-code-graders`.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from tunesmith.config.rewards import RewardConfig
from tunesmith.schema import unknown_name

SERVER_ONLY = ("base_url", "api_key_env")
GRADER_TYPES = ("string_check", "text_similarity", "score_model", "multi", "python")


def to_reward(grader: dict[str, Any], item_fields: list[str] | None = None) -> dict[str, Any]:
    """One OpenAI grader object as a reward config (raw, unvalidated); a python grader is handed `item_fields`."""
    fields = dict(grader)
    kind = fields.pop("type", None)
    if not isinstance(kind, str):
        raise ValueError("every grader needs a 'type' (string_check, text_similarity, score_model, multi, python)")
    label = fields.pop("name", None)
    if kind == "multi" and isinstance(fields.get("graders"), dict):
        fields["graders"] = {key: to_reward(inner) for key, inner in fields["graders"].items()}
    if kind == "python":
        fields["item_fields"] = list(item_fields or [])
    return {"name": kind, **({"label": label} if label is not None else {}), **fields}


def grader_rewards(grader: dict[str, Any], item_fields: list[str] | None = None) -> list[dict[str, Any]]:
    """The rewards a job's grader becomes: one (a `multi` grader combines its graders itself)."""
    return [to_reward(grader, item_fields)]


def check_grader(grader: dict[str, Any], allow_code: bool) -> None:
    """A ValueError saying what is wrong with the grader, as this server would run it."""
    if grader.get("type") not in GRADER_TYPES:
        raise ValueError(unknown_name("grader type", str(grader.get("type")), GRADER_TYPES))
    _refuse_server_fields(grader, allow_code)
    try:
        TypeAdapter(RewardConfig).validate_python(to_reward(grader))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "type"
        raise ValueError(f"invalid grader ({where}): {first['msg']}") from None


def _refuse_server_fields(grader: dict[str, Any], allow_code: bool) -> None:
    if grader.get("type") == "python" and not allow_code:
        raise ValueError(
            "python graders run the job's own code on this server, which was not started with "
            "--allow-code-graders; use string_check, text_similarity, score_model or multi"
        )
    named = [key for key in SERVER_ONLY if key in grader]
    if named:
        raise ValueError(
            f"'{named[0]}' is the server's setting, not the job's: which judge a grader calls is configured there"
        )
    for inner in (grader.get("graders") or {}).values() if isinstance(grader.get("graders"), dict) else ():
        if isinstance(inner, dict):
            _refuse_server_fields(inner, allow_code)
