"""Lone given names by the position they stand in (speaker labels, introductions, sign-offs, lists), whatever the
name list knows, and the labels and common words that stand there but are no names."""

from __future__ import annotations

import pytest

pytest.importorskip("gender_guesser")

from tunesmith.data.pii.names_position import is_label, may_hold_lone_name, names_in  # noqa: E402


def names(text: str) -> list[str]:
    return sorted({text[start:end] for start, end in names_in(text)})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visitor: my login fails\nBabak: could you tell me the IP?\nVisitor: sure", ["Babak"]),
        ("[13:45] kanya: can someone ping oguz about it?\n[17:30] lorenzo: on it", ["kanya", "lorenzo", "oguz"]),
        ("Agent: Thanks for holding, this is Thanawat from billing.", ["Thanawat"]),
        ("Sorry for the delay.\n\nBest,\nAkosua Obi\nCustomer Success Team", ["Akosua Obi"]),
        ("Hi Dariush, any update?\n\nEoin", ["Eoin"]),
        ("If found please text me. Thanks! - Somchai", ["Somchai"]),
        ("Contact: Gong Xinyi | Company: Contoso Ltd | Owner: Pooja", ["Pooja"]),
        ("Consignee: YAW ADEYEMI\nTel: +91 69720 82734", ["YAW ADEYEMI"]),
        ("Selling my old bike. DM or call Xiaodong on +1 617 190 8072.", ["Xiaodong"]),
        ("Reminder: Eleni, Kavya and Haoran still need to sign.", ["Eleni", "Haoran", "Kavya"]),
        ("heads up, Dieter's out sick today", ["Dieter"]),
        ("pharmacist Mehmet left a voicemail", ["Mehmet"]),
        ("id,full_name,email\n235,Siti Wijaya,siti@x.io\n7,Budi Pratama,b@x.io", ["Budi Pratama", "Siti Wijaya"]),
        ("编号|姓名|电话\n1|王芳|13800000000", ["王芳"]),
        ("Meeting 改到下午三点, Ioanna 和 卢家豪 都会 join", ["Ioanna"]),
    ],
)
def test_lone_names_in_structural_positions(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Consignee: ACME LTD\nRef: #2022-124974\nWeight: 405 kg\nNotes: leave with neighbour",
        "INVOICE 77\nBill to: Acme's office\nAmount due: 3.00",
        "They join us from Lisbon next week.",
        "Status: done\nNotes: see above",
        "Thanks,\nCustomer Success Team",
        "Ping me when the Monday Standup starts.",
        "id,name,price\n1,Standard Plan,9.99\n2,Support,0",
        "Meeting 改到下午三点, 用 Excel 和 Zoom 开",
    ],
)
def test_labels_places_and_common_words_are_not_names(text):
    assert names(text) == []


def test_labels_and_chat_handles():
    assert is_label("Agent") and is_label("notes") and is_label("Grant") and not is_label("Kenji")
    assert may_hold_lone_name("[09:00] kenji: morning") and not may_hold_lone_name("all lower case text here")
