"""pii recall on text we did not write: Chinese names after verbs and among English words, English names after a
ticket number or a greeting, phones by shape whatever their area code, and the look-alikes that must stay."""

from __future__ import annotations

import phonenumbers
import pytest

from tunesmith.data.pii import find_pii


def found(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.text) for f in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请把合同发给王建国", [("PERSON", "王建国")]),
        ("已经通知谭浩宇了，明天上午开会。", [("PERSON", "谭浩宇")]),
        ("麻烦把报价交给欧阳春花处理。", [("PERSON", "欧阳春花")]),
        ("和龙磊约了周三下午见面。", [("PERSON", "龙磊")]),
        ("值班人员：钟丽娟（白班）、文鹏（夜班）", [("PERSON", "钟丽娟"), ("PERSON", "文鹏")]),
        ("Please ask 王建国 to sign the contract by Friday.", [("PERSON", "王建国")]),
        ("胡永明的快递 has been delayed.", [("PERSON", "胡永明")]),
        ("#4821 Maria Gonzalez called about a double charge.", [("PERSON", "Maria Gonzalez")]),
        ("RE: order SO29824409 — Emi Choi is still waiting for the refund.", [("PERSON", "Emi Choi")]),
        ("Hi Kenji,\n\nYour replacement ships today.", [("PERSON", "Kenji")]),
        ("Please loop in Ngo Ngoc Hoa before the review.", [("PERSON", "Ngo Ngoc Hoa")]),
        (
            "Attendees: Yang Yiting, Sun Meiling and Deepika Joshi",
            [("PERSON", n) for n in ("Yang Yiting", "Sun Meiling", "Deepika Joshi")],
        ),
        ("客户Lucía Delgado反馈说页面打不开", [("PERSON", "Lucía Delgado")]),
        ("昨天郝建华负责这次测试。", [("PERSON", "郝建华")]),
        ("Dr. Kofi Asante will call you back.", [("PERSON", "Kofi Asante")]),
        ("@Priya can you check this?", [("PERSON", "Priya")]),
    ],
)
def test_names_in_contexts_the_first_recognizers_missed(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "number",
    ["+1 (247) 555-0134", "(247) 555-0134", "247-555-0134", "1-247-555-0134", "+12475550134", "247.555.0134"],
)
def test_nanp_phones_are_found_whether_or_not_their_area_code_is_allocated(number):
    assert not phonenumbers.is_valid_number(phonenumbers.parse("+1" + "".join(filter(str.isdigit, number))[-10:]))
    assert found(f"Callback requested: {number} (mobile)") == [("PHONE", number)]


@pytest.mark.parametrize(
    "number", ["+49 30 12345678", "+971 50 123 4567", "+84 91 234 5678", "0571-87654321", "(0571) 8765 4321"]
)
def test_phones_written_as_phones_are_found_by_shape(number):
    assert found(f"Reach me on {number} after 5pm.") == [("PHONE", number)]


@pytest.mark.parametrize(
    "text",
    [
        "请把报告发给财务部。",
        "方案已经发给大家了，请查收。",
        "质量和安全都很重要。",
        "请把合同发给王经理。",
        "Our 成都 office opens at 9.",
        "订单号：SO27028201，金额：¥2446.01",
        "我的邮箱已经改了，谢谢",
        "Ticket 1234 — Google Drive is down again.",
        "Happy Thanksgiving from the Customer Success team!",
        "Hi All, the customer Visa card was declined.",
        "Subject: invoice 7099300107 — please call the office.",
        "Order 2024-05-18, ISBN 978-3-16-148410-0, reference 4000-1234-5678-9010.",
        "OID 1.3.6.1.4.1.311 identifies the vendor.",
    ],
)
def test_look_alikes_stay(text):
    assert found(text) == []
