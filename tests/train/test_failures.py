"""Failure types of wrong answers, and balancing self-play pairs across them."""

from __future__ import annotations

import json
from collections import Counter

from tunesmith.train.failures import balance, failure_type

REF = json.dumps({"name": "Ann Lee", "age": 31, "city": None})


def test_json_references_are_typed_by_which_fields_are_wrong():
    assert failure_type("no json here", REF) == "invalid JSON"
    assert failure_type(json.dumps({"name": "ann lee", "age": "31", "city": "Paris"}), REF) == "wrong city"
    assert failure_type(json.dumps({"name": "Bo", "age": 30, "city": None}), REF) == "wrong age, name"
    assert failure_type("Sure! " + REF, REF) == "format"  # every field right, the reply not exactly the reference


def test_short_references_are_typed_by_the_reference_missed_and_long_ones_by_shape():
    assert failure_type("billing", "refund") == "missed refund"
    assert failure_type("  ", "refund") == "empty"
    assert failure_type("The label is refund.", "refund") == "extra text"
    long_ref = "Please pay 54 dollars for the tickets by Friday."
    assert failure_type("pay 54 dollars by friday pls", long_ref) == "different"


def test_balance_caps_each_type_at_the_mean_count_and_keeps_order():
    types = ["city"] * 12 + ["age"] * 2 + ["name"]
    kept = balance(types, seed=0)
    assert kept == sorted(kept)
    assert Counter(types[i] for i in kept) == {"city": 5, "age": 2, "name": 1}  # mean 15/3 = 5
    assert balance(types, seed=0) == kept and balance(types, seed=1) != kept  # seeded choice within a type


def test_balance_keeps_everything_when_no_type_dominates():
    types = ["a", "b", "a", "b"]
    assert balance(types, seed=3) == [0, 1, 2, 3]
    assert balance([], seed=0) == []
