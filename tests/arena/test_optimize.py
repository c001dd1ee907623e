"""The optimized-prompt search: a rewrite is kept only when it scores better on the dev split, and the teacher
never sees the test split."""

from __future__ import annotations

import json

from tests.conftest import write_jsonl
from tests.data.fake_openai import FakeOpenAI
from tunesmith.arena.config import ArenaConfig
from tunesmith.arena.optimize import optimize_instructions
from tunesmith.data.teacher import OpenAITeacher

TRAIN = [(f"Add {a} and {b}.", str(a + b)) for a in range(10) for b in range(4)]
TEST = [(f"Sum of {a} and {b}?", str(a + b)) for a in range(50, 53) for b in range(2)]


def chat(rows):
    return [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in rows]


def answerer(conversations):
    """A model that answers right only when its system message says 'digits only'."""
    replies = []
    for conversation in conversations:
        system = conversation[0]["content"] if conversation[0]["role"] == "system" else ""
        a, b = (int(w) for w in conversation[-1]["content"].rstrip(".?").split() if w.isdigit())
        replies.append(str(a + b) if "digits only" in system else f"The sum is {a + b}.")
    return replies


def test_a_rewrite_is_kept_only_when_the_dev_score_rises(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", chat(TRAIN))
    write_jsonl(tmp_path / "test.jsonl", chat(TEST))
    rewrites = iter(["Be concise.", "Reply with digits only.", "Say nothing."])
    with FakeOpenAI(lambda body: next(rewrites)) as server:
        cfg = ArenaConfig.model_validate({
            "task": {"eval": tmp_path / "test.jsonl", "train": tmp_path / "train.jsonl", "dev_size": 8,
                     "instructions": "Add the numbers."},
            "arms": [{"name": "opt", "kind": "optimized_prompt", "rounds": 3,
                      "teacher": {"model": "writer", "base_url": server.base_url, "api_key_env": None},
                      "teacher_price": {"input": 1.0, "output": 1.0}}],
        })  # fmt: skip
        teacher = OpenAITeacher(server.base_url, "writer", None)
        found = optimize_instructions(cfg.arms[0], cfg, answerer, teacher, lambda text: len(text.split()))
        asked = [r.prompt for r in server.requests]
    assert found.instructions == "Reply with digits only."
    assert [(r["dev_score"], r["kept"]) for r in found.rounds] == [(0.0, True), (0.0, False), (1.0, True)]
    assert len(asked) == 2  # after the dev split was solved, the teacher was not asked again
    assert all("Add " in ask and "Sum of" not in ask for ask in asked)  # dev failures shown, never the test split
    assert found.teacher_tokens["input"] > 0 and json.dumps(found.one_off())
