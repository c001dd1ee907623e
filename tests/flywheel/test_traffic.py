"""Selecting logged traffic and holding out a slice of it: by prompt, seeded, with no prompt on both sides."""

from __future__ import annotations

import pytest

from tunesmith.errors import InputError
from tunesmith.flywheel.traffic import collect, holdout_rows, prompt_key, split_holdout
from tunesmith.serve.logfilter import LogFilter
from tunesmith.serve.store import Feedback, LoggedRequest, Store


def request(rid: str, question: str, answer: str = "A.", *feedback: Feedback, history: list[dict] | None = None):
    messages = [*(history or []), {"role": "user", "content": question}]
    return LoggedRequest(
        id=rid, endpoint="chat", model="teacher", output=answer, messages=messages, feedback=list(feedback)
    )


def traffic() -> list[LoggedRequest]:
    """60 requests over 40 questions: 20 asked again, spelled with other case and spacing."""
    first = [request(f"r{i}", f"Question number {i}?") for i in range(40)]
    again = [request(f"s{i}", f"  question NUMBER {i}? ") for i in range(20)]
    return first + again


def test_the_split_is_by_prompt_seeded_and_loses_nothing():
    entries = traffic()
    train, held = split_holdout(entries, share=0.2, seed=7)
    assert {e.id for e in train} | {e.id for e in held} == {e.id for e in entries}
    assert not {e.id for e in train} & {e.id for e in held}
    assert not {prompt_key(e) for e in train} & {prompt_key(e) for e in held}  # no question on both sides
    assert len({prompt_key(e) for e in held}) == 8  # 20% of 40 distinct questions
    again, _ = split_holdout(entries, share=0.2, seed=7)
    other, _ = split_holdout(entries, share=0.2, seed=8)
    assert [e.id for e in again] == [e.id for e in train] and [e.id for e in other] != [e.id for e in train]


def test_at_least_one_prompt_is_held_out_and_one_trained_on():
    two = [request("a", "One?"), request("b", "Two?"), request("c", "one? ")]
    for share in (0.01, 0.99):
        train, held = split_holdout(two, share=share, seed=0)
        assert len({prompt_key(e) for e in train}) == 1 and len({prompt_key(e) for e in held}) == 1
    with pytest.raises(InputError, match="1 distinct logged prompt"):
        split_holdout([request("a", "One?"), request("b", "ONE?")], share=0.5, seed=0)


def test_the_prompt_key_reads_every_user_turn_of_a_conversation():
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    assert prompt_key(request("a", "Why?", history=history)) != prompt_key(request("b", "How?", history=history))
    system = [{"role": "system", "content": "Be brief."}]
    assert prompt_key(request("a", "Why?", history=system)) == prompt_key(request("b", "why?"))


def test_collect_leaves_out_answers_rated_down_and_keeps_corrected_ones(tmp_path):
    store = Store(tmp_path / "logs.db")
    logged = [
        request("a", "Q1?", "fine"),
        request("b", "Q2?", "bad", Feedback("b", rating="down")),
        request("c", "Q3?", "bad", Feedback("c", rating="down"), Feedback("c", correction="good")),
        request("d", "Q4?", "ok", Feedback("d", rating="up")),
        LoggedRequest(
            id="e", endpoint="chat", model="other", output="x", messages=[{"role": "user", "content": "Q5?"}]
        ),
    ]
    for entry in logged:
        store.log(entry)
    found = collect(store, LogFilter(model="teacher", endpoint="chat", status="ok"), share=0.5, seed=0)
    assert [e.id for e in found.served] == ["a", "b", "c", "d"]  # the cost table counts every served request
    assert sorted(e.id for e in found.train + found.holdout) == ["a", "c", "d"]
    rows = {row["request_id"]: row for row in holdout_rows(found.train + found.holdout)}
    assert rows["c"] == {"request_id": "c", "messages": [{"role": "user", "content": "Q3?"}], "reference": "bad",
                         "correction": "good"}  # fmt: skip
    store.close()
