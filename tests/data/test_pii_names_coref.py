"""Later mentions of a found name (its parts, in Latin script; the whole name in Chinese) are masked too."""

from __future__ import annotations

import pytest

pytest.importorskip("gender_guesser")

from presidio_analyzer import RecognizerResult  # noqa: E402

from tunesmith.data.pii import find_pii  # noqa: E402
from tunesmith.data.pii.names_coref import mention_strings, repeated_mentions  # noqa: E402


def test_mention_strings_skip_particles_labels_and_possessives():
    assert mention_strings("Jean-Baptiste Girard's") >= {"Jean-Baptiste", "Girard", "GIRARD"}
    assert "Van" not in mention_strings("Pham Van Trang") and "Grant" not in mention_strings("Grant Hollis")
    assert mention_strings("王建国") == {"王建国"}


def test_repeated_mentions_are_word_bounded_and_never_inside_emails():
    text = "Per our call, Jean-Baptiste Girard is unlocked. Jean-Baptiste asked for j.Girard@icloud.com; Girardot no."
    found = [RecognizerResult("PERSON", 14, 34, 0.9)]
    assert [text[r.start : r.end] for r in repeated_mentions(text, found)] == ["Jean-Baptiste"]


def test_find_pii_masks_every_mention_of_a_found_person():
    text = "From: Eleni Karagiannis <e.k@yandex.ru>\nSubject: refund\n\nAny update, Davide?\n\nKaragiannis"
    assert {f.text for f in find_pii(text) if f.type == "PERSON"} >= {"Eleni Karagiannis", "Karagiannis"}
    zh = "今天王建国请假了。明天王建国回来。"
    assert [f.text for f in find_pii(zh) if f.type == "PERSON"] == ["王建国", "王建国"]
