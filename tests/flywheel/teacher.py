"""A fake teacher for the quickstart task: it answers each known prompt with the quickstart's reference JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.data.fake_openai import completion

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "data" / "eval.jsonl"


def quickstart_pairs(limit: int) -> list[tuple[str, str]]:
    """(prompt, reference JSON) of the first `limit` quickstart eval records."""
    rows = [json.loads(line) for line in QUICKSTART.read_text(encoding="utf-8").splitlines()[:limit]]
    return [(row["messages"][0]["content"], row["messages"][1]["content"]) for row in rows]


def tokens(text: str) -> int:
    """The fake teacher's token count: one per whitespace-separated word."""
    return len(text.split())


def teacher_handler(answers: dict[str, str]):
    """Answers each known quickstart prompt with its reference JSON, with usage counted in words."""

    def handle(body: dict) -> tuple[int, dict]:
        prompt = body["messages"][-1]["content"]
        answer = answers[prompt]
        reply = completion(answer, body.get("model", ""))
        reply["usage"] = {"prompt_tokens": tokens(prompt), "completion_tokens": tokens(answer)}
        return 200, reply

    return handle
