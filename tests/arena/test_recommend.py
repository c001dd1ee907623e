"""The verdict, costs and intervals, on hand-made arm results (no model): ties, prices, break-even, signals."""

from __future__ import annotations

import pytest

from tunesmith.arena.answer import Answers
from tunesmith.arena.config import CostConfig, PromptArm, TeacherArm
from tunesmith.arena.cost import break_even, one_off, per_thousand
from tunesmith.arena.recommend import recommend
from tunesmith.arena.score import interval, paired_difference
from tunesmith.config.prices import TokenPrice


def arm(name, kind, scores, per_1k, one_off_cost=0.0, metrics=None, by=None):
    return {
        "name": name, "kind": kind, "status": "ok", "scores": scores, "primary": interval(scores),
        "cost": {"per_1k": {"value": per_1k}, "one_off": {"value": one_off_cost}},
        "metrics": metrics or {}, "by": by or {},
    }  # fmt: skip


def test_interval_and_paired_difference():
    ones, zeros = [1.0] * 50, [0.0] * 50
    assert interval(ones) == {"mean": 1.0, "low": 1.0, "high": 1.0, "n": 50}
    assert paired_difference(ones, zeros)["tie"] is False
    half = [1.0, 0.0] * 25
    near = [1.0, 0.0] * 24 + [1.0, 1.0]  # one example apart out of 50: within noise
    d = paired_difference(near, half)
    assert d["tie"] is True and d["low"] <= 0 <= d["high"]


def test_a_clear_winner_is_recommended_and_ties_go_to_the_cheaper_arm():
    strong = [1.0] * 40 + [0.0] * 10
    tied = [1.0] * 39 + [0.0] * 11
    weak = [1.0] * 10 + [0.0] * 40
    arms = [
        arm("tuned", "fine_tuned", strong, 0.08, 0.5),
        arm("shots", "few_shot", tied, 0.02),
        arm("p", "prompt", weak, 0.01),
    ]
    verdict = recommend(arms, "accuracy", "USD", 1000)
    assert verdict["best"] == "tuned"
    assert set(verdict["tied"]) == {"tuned", "shots"}
    assert verdict["pick"] == "shots"  # tied on quality and 4x cheaper
    assert "tied with tuned on quality and cheaper" in verdict["verdict"]
    assert any("Cheapest per 1,000 requests: p" in c for c in verdict["claims"])


def test_break_even_against_a_dearer_teacher():
    assert break_even(1.0, 0.1, 2.1) == pytest.approx(500.0)  # 1.0 / (2.0 / 1000)
    assert break_even(1.0, 0.5, 0.4) is None  # the other arm is cheaper per request: never pays back
    assert break_even(None, 0.1, 2.0) is None
    arms = [arm("tuned", "fine_tuned", [1.0] * 20, 0.1, 1.0), arm("gpt", "teacher", [1.0] * 20, 2.1)]
    claims = recommend(arms, "accuracy", "USD", 1000)["claims"]
    assert any("pays back against gpt after 500 requests" in c for c in claims)
    arms[0]["scores"] = [0.0] * 20  # the teacher answers better: no break-even claim against it
    arms[0]["primary"] = interval(arms[0]["scores"])
    assert not any("pays back" in c for c in recommend(arms, "accuracy", "USD", 1000)["claims"])


def test_missing_prices_make_cost_unknown_not_zero():
    answers = Answers(["a", "b"], [10, 10], [5, None], seconds=2.0)
    teacher = TeacherArm(name="t", kind="teacher", model="m", price=TokenPrice(input=1.0, output=2.0))
    assert per_thousand(teacher, answers, CostConfig())["value"] is None  # one reply had no usage
    unpriced = TeacherArm(name="t", kind="teacher", model="m")
    assert per_thousand(unpriced, Answers(["a"], [10], [5], 1.0), CostConfig())["value"] is None
    local = PromptArm(name="p", kind="prompt")
    assert per_thousand(local, answers, CostConfig())["value"] is None  # no price per hour
    priced = per_thousand(local, answers, CostConfig(price_per_hour=3.6))
    assert priced["value"] == pytest.approx(3.6 * 1.0 * 1000 / 3600)  # 1 s per request
    assert per_thousand(teacher, Answers(["a"], [1000], [500], 1.0), CostConfig())["value"] == pytest.approx(2.0)
    assert one_off({"train_seconds": 3600, "extra": 0.0}, CostConfig())["value"] is None
    assert one_off({"train_seconds": 1800, "extra": 1.0}, CostConfig(price_per_hour=2.0))["value"] == 2.0
    made = {"input_tokens": 2_000_000, "output_tokens": 1_000_000, "price": {"input": 0.5, "output": 2.0}}
    spent = {"train_seconds": 3600, "extra": 0.0, "synthesis": made}
    assert one_off(spent, CostConfig(price_per_hour=1.0))["value"] == pytest.approx(1.0 + 1.0 + 2.0)


def test_a_group_where_retrieval_wins_is_named_as_the_signal():
    by_rag = {"changed=true": interval([1.0] * 8), "changed=false": interval([1.0] * 8)}
    by_tuned = {"changed=true": interval([0.0] * 8), "changed=false": interval([1.0] * 8)}
    arms = [
        arm("rag", "rag", [1.0] * 16, 0.1, by=by_rag),
        arm("tuned", "fine_tuned", [0.0] * 8 + [1.0] * 8, 0.1, by=by_tuned),
    ]
    signals = recommend(arms, "contains", "USD", 40)["signals"]
    assert any(
        "changed=true: rag scores best (1.000); fine-tuned without retrieval, tuned scores 0.000" in s for s in signals
    )
    assert any("Only 40 training records" in s for s in signals)


def test_failed_arms_are_left_out_of_the_verdict():
    arms = [{"name": "t", "kind": "teacher", "status": "failed", "error": "down"}, arm("p", "prompt", [1.0], 0.1)]
    assert recommend(arms, "accuracy", "USD", None)["pick"] == "p"
    assert recommend(arms[:1], "accuracy", "USD", None)["pick"] is None
