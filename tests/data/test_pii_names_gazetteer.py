"""Latin-script names from the given-name list: a known given name and a capitalised word, either order, and the
common words and organisations that must stay."""

from __future__ import annotations

import pytest

pytest.importorskip("gender_guesser")

from tunesmith.data.pii.names_gazetteer import GazetteerNameRecognizer, given_names, is_given, names_in  # noqa: E402


def names(text: str) -> list[str]:
    return [text[start:end] for start, end in names_in(text)]


def test_the_list_holds_names_from_many_countries_but_no_common_words():
    assert {"Priyanka", "Zainab", "Daichi", "Thu", "Beatriz", "Mikhail"} <= given_names()
    assert not {"May", "Will", "The", "Can", "My", "Grant", "Rose", "Austin"} & given_names()
    assert is_given("Ji-woo") and is_given("PRIYANKA")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Package signed for by Priyanka Chaudhry at the front desk.", ["Priyanka Chaudhry"]),
        ("Lindqvist Bilal left a 1-star review.", ["Lindqvist Bilal"]),
        ("We owe Pham Van Trang a callback.", ["Pham Van Trang"]),
        ("Thanks to Hieu Y. Seo and Ji-woo Seo for covering.", ["Hieu Y. Seo", "Ji-woo Seo"]),
        ("发票抬头写Ingrid Oliveira就可以", ["Ingrid Oliveira"]),
        ("GUEST: BEATRIZ OLIVEIRA", ["BEATRIZ OLIVEIRA"]),
        ("Okoye, Amara", ["Okoye, Amara"]),
        ("yo Priyanka, the shipment is stuck", ["Priyanka"]),
        ("Harper Price wrote the feedback.", ["Harper Price"]),
        ("Booked by Sun Meiling via the app.", ["Sun Meiling"]),  # pinyin: surname and two syllables
        ("Jianguo Wang called back.", ["Jianguo Wang"]),
        ("Booked by Seo-yeon Kobayashi via the app.", ["Seo-yeon Kobayashi"]),  # Korean syllables
        ("Minutes: Do Minh An opened the meeting; Le Van Hoa took notes.", ["Do Minh An", "Le Van Hoa"]),
    ],
)
def test_names_are_found_by_the_list(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "May Update fixes the crash.",
        "Will Call orders ship from the Austin office.",
        "Grant Access to the shared drive.",
        "Quote prepared for (Oliveira Imports).",
        "Priyanka",  # a lone given name opening the text is left to the cue rules and NER
        "The Amazon Echo and Google Nest both support it.",
        "Ship to Hong Kong, New York or San Francisco.",
        "Take the Elizabeth Line to the Victoria Station branch.",
        "Do Not Disturb",
        "What Do You Mean",
        "The Set-up Guide and the Pop-up Store",
    ],
)
def test_common_words_and_organisations_are_not_names(text):
    assert names(text) == []


def test_recognizer_reports_person_results():
    results = GazetteerNameRecognizer().analyze("Booked by Daichi Matsumoto via the app.", ["PERSON"])
    assert [(r.entity_type, r.start, r.end) for r in results] == [("PERSON", 10, 26)]
