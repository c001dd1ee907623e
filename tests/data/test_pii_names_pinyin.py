"""Pinyin names: a word's pinyin syllable count, and a surname next to a two-syllable given name."""

from __future__ import annotations

import pytest

from tunesmith.data.pii.names_pinyin import is_pinyin_given, is_pinyin_name, syllables


@pytest.mark.parametrize(
    ("word", "count"), [("Wei", 1), ("Meiling", 2), ("Zhiqiang", 2), ("Xiao-ling", 2), ("Xiaoxiao", 2), ("Smith", 0)]
)
def test_syllables(word, count):
    assert syllables(word) == count


def test_a_surname_and_two_syllables_in_either_order_are_a_name():
    assert is_pinyin_name("Sun", "Meiling") and is_pinyin_name("Zhiqiang", "Wang")
    assert is_pinyin_given("Haoran") and not is_pinyin_given("haoran") and not is_pinyin_given("WEI")
    assert not is_pinyin_name("Sun", "Smith") and not is_pinyin_name("Meiling", "Haoran")
    assert not is_pinyin_name("You", "Mean")  # an English stop word is never the surname
