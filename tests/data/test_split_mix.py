"""split and mix: ratios, stratification, temperature and weights, seeded reproducibility."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext, mix, split
from tunesmith.errors import InputError


def chats(groups: dict[str, int], key: str = "category") -> Dataset:
    """Chat records, `n` per group, with the group name in meta[key]."""
    rows = [
        {"messages": [{"role": "user", "content": f"{g} {i}"}], "meta": json.dumps({key: g})}
        for g, n in groups.items()
        for i in range(n)
    ]
    return Dataset.from_list(rows)


def meta_counts(dataset: Dataset, key: str) -> Counter:
    return Counter(json.loads(m)[key] for m in dataset["meta"])


def test_split_is_90_10_by_default_and_disjoint():
    result = split.run(chats({"a": 100}), split.Config(), OpContext())
    train, validation = result.splits["train"], result.splits["validation"]
    assert (len(train), len(validation)) == (90, 10)
    texts = lambda ds: {m[0]["content"] for m in ds["messages"]}  # noqa: E731
    assert not texts(train) & texts(validation)


def test_split_stratifies_by_meta_key_and_keeps_small_groups_represented():
    result = split.run(chats({"a": 80, "b": 15, "c": 2}), split.Config(stratify="category"), OpContext())
    assert meta_counts(result.splits["validation"], "category") == {"a": 8, "b": 2, "c": 1}
    assert meta_counts(result.splits["train"], "category") == {"a": 72, "b": 13, "c": 1}


def test_split_is_reproducible_by_seed_and_changes_with_it():
    data = chats({"a": 50})
    first = split.run(data, split.Config(), OpContext(seed=1)).splits["validation"]["messages"]
    again = split.run(data, split.Config(), OpContext(seed=1)).splits["validation"]["messages"]
    other = split.run(data, split.Config(), OpContext(seed=2)).splits["validation"]["messages"]
    assert first == again and first != other


def test_split_rejects_out_of_range_share_and_too_little_data():
    with pytest.raises(ValidationError):
        split.Config(validation=1.0)
    with pytest.raises(InputError, match="at least 2 records"):
        split.run(chats({"a": 1}), split.Config(), OpContext())


def test_mix_temperature_one_keeps_proportions_and_high_temperature_flattens():
    data = chats({"big": 90, "small": 10}, key="source")
    natural = mix.run(data, mix.Config(temperature=1.0), OpContext()).dataset
    assert meta_counts(natural, "source") == {"big": 90, "small": 10}
    flat = mix.run(data, mix.Config(temperature=100.0), OpContext())
    counts = meta_counts(flat.dataset, "source")
    assert 48 <= counts["small"] <= 52 and counts["big"] + counts["small"] == 100
    assert flat.added == counts["small"] - 10  # the small task is repeated to reach its share
    assert flat.removed == {"not sampled (mix)": 90 - counts["big"]}


def test_mix_weights_and_total_upsample_by_whole_copies():
    data = chats({"a": 30, "b": 10}, key="source")
    result = mix.run(data, mix.Config(weights={"a": 1, "b": 1}, total=40), OpContext())
    assert meta_counts(result.dataset, "source") == {"a": 20, "b": 20}
    b_texts = Counter(
        m[0]["content"] for m, meta in zip(result.dataset["messages"], result.dataset["meta"]) if "b" in meta
    )
    assert set(b_texts.values()) == {2}  # every b record exactly twice, none dropped
    assert result.stats["sources"]["b"] == {"in": 10, "out": 20, "share": 0.5}


def test_mix_needs_exactly_one_rule_and_known_sources():
    with pytest.raises(ValidationError, match="exactly one"):
        mix.Config()
    with pytest.raises(ValidationError, match="exactly one"):
        mix.Config(weights={"a": 1}, temperature=2)
    with pytest.raises(InputError, match="unknown source"):
        mix.run(chats({"a": 3}, key="source"), mix.Config(weights={"x": 1}), OpContext())
