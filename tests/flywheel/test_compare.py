"""Scoring candidates on the held-out slice, the promotion rule, and the pairwise judge (tunesmith.eval.judge)."""

from __future__ import annotations

import json

import pytest

from tests.data.fake_openai import FakeOpenAI
from tunesmith.eval.judge import JudgeConfig
from tunesmith.flywheel.compare import compare, scorable
from tunesmith.flywheel.config import WIN_RATE, CompareConfig, PromoteConfig
from tunesmith.flywheel.promote import decide


def person(name: str, city: str) -> str:
    return json.dumps({"name": name, "city": city})


def held(rid: str, text: str, reference: str, correction: str | None = None) -> dict:
    return {"request_id": rid, "messages": [{"role": "user", "content": text}], "reference": reference,
            "correction": correction}  # fmt: skip


ROWS = [
    held("a", "Ann lives in Oslo", person("Ann", "Oslo")),
    held("b", "Bo lives in Rome", person("Bo", "Rome"), correction=person("Bo", "Milan")),
    held("c", "Cy?", "I cannot tell."),
]


def test_candidates_are_scored_against_the_teacher_and_corrections():
    cfg = CompareConfig(metrics=["json", "exact_match"])
    rows, skipped = scorable(ROWS, cfg)
    assert [r["request_id"] for r in rows] == ["a", "b"] and skipped == 1  # "I cannot tell." is no JSON reference
    answers = {"student": [person("Ann", "Oslo"), person("Bo", "Milan")], "current": ['{"name": "Ann"}', "no idea"]}
    result = compare(rows, answers, cfg, skipped)
    assert (result.scored, result.skipped, result.corrected) == (2, 1, 1)
    assert result.vs_teacher["student"]["field_accuracy"] == pytest.approx(3 / 4)
    assert result.vs_teacher["student"]["exact_match"] == pytest.approx(1 / 2)
    assert result.vs_teacher["current"]["field_accuracy"] == pytest.approx(1 / 4)
    # on the one corrected request: the teacher said Rome, the correction says Milan, and so did the student
    assert result.vs_corrections["teacher"]["field_accuracy"] == pytest.approx(1 / 2)
    assert result.vs_corrections["student"]["field_accuracy"] == 1.0
    assert result.score("student", "field_accuracy") == pytest.approx(0.75)


def comparison(student: float, current: float | None = None):
    from tunesmith.flywheel.compare import Comparison

    scores = {"student": {"rouge_l": student}}
    if current is not None:
        scores["current"] = {"rouge_l": current}
    return Comparison(scored=10, skipped=0, vs_teacher=scores)


@pytest.mark.parametrize(
    ("student", "current", "promote", "words"),
    [
        (0.90, None, True, "student rouge_l 0.900 reaches min_score 0.900 (no adapter 'bot' yet)"),
        (0.89, None, False, "student rouge_l 0.890 is below min_score 0.900"),
        (0.60, 0.50, True, "student rouge_l 0.600 beats the current 'bot' (0.500)"),
        (0.50, 0.50, False, "student rouge_l 0.500 does not beat the current 'bot' (0.500)"),
        (0.40, 0.50, False, "does not beat"),
    ],
)
def test_the_promotion_rule(student, current, promote, words):
    decision = decide(comparison(student, current), "rouge_l", PromoteConfig(adapter_name="bot", min_score=0.9))
    assert decision.promote is promote and words in decision.reason
    assert decision.current == current and not decision.registered


def test_a_margin_must_be_exceeded():
    cfg = PromoteConfig(adapter_name="bot", margin=0.05)
    assert not decide(comparison(0.55, 0.50), "rouge_l", cfg).promote
    decision = decide(comparison(0.56, 0.50), "rouge_l", cfg)
    assert decision.promote and decision.bar == pytest.approx(0.55) and "(0.500 + margin 0.05)" in decision.reason


def test_the_judge_asks_both_orders_so_position_bias_cancels(monkeypatch):
    def fair(body: dict) -> str:  # prefers the answer that says "right"
        text = body["messages"][0]["content"]
        a, b = text.split("Answer A:\n")[1].split("\n\nAnswer B:\n")
        return "A" if "right" in a and "right" not in b else "B" if "right" in b and "right" not in a else "TIE"

    rows = [held(f"r{i}", f"q{i}", ref) for i, ref in enumerate(["right", "right", "wrong", "right"])]
    student = ["right", "wrong", "right", "right too"]
    cfg = CompareConfig(metrics=["rouge_l"])
    monkeypatch.setenv("JUDGE_KEY", "k")
    with FakeOpenAI(fair) as server:
        cfg.judge = JudgeConfig(base_url=server.base_url, model="judge", api_key_env="JUDGE_KEY")
        judged = compare(rows, {"student": student}, cfg).judge["student"]
        assert len(server.requests) == 8 and server.requests[0].headers["authorization"] == "Bearer k"
        assert server.requests[0].messages[0]["content"].startswith("Two assistants answered")
    assert (judged.win_rate, judged.wins, judged.ties, judged.losses, judged.unparsed) == (0.5, 1, 2, 1, 0)
    assert judged.consistency == 1.0
    with FakeOpenAI(lambda body: "A") as server:  # always picks the first answer: every request ties
        cfg.judge = JudgeConfig(base_url=server.base_url, model="judge", api_key_env=None)
        judged = compare(rows, {"student": student}, cfg).judge["student"]
    assert judged.ties == 4 and judged.first_position_rate == 1.0 and judged.consistency == 0.0


def test_the_judge_win_rate_can_decide(monkeypatch):
    with FakeOpenAI(lambda body: "B") as server:
        judge = JudgeConfig(base_url=server.base_url, model="judge", api_key_env=None)
        result = compare(ROWS[:2], {"student": ["x", "y"]}, CompareConfig(metrics=["rouge_l"], judge=judge))
    assert result.judge["student"].win_rate == 0.5
    assert decide(result, WIN_RATE, PromoteConfig(min_score=0.45)).promote
