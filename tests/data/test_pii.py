"""pii: every type in English and Chinese text, checksums, the three modes, placeholders, and the op on chat records."""

from __future__ import annotations

import json

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext
from tunesmith.data.ops.pii import Config, run
from tunesmith.data.pii import Finding, find_pii, find_pii_many, replace
from tunesmith.data.pii.recognizers import valid_cn_id


def found(text: str, **options) -> list[tuple[str, str]]:
    return [(f.type, f.text) for f in find_pii(text, **options)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jane.doe@example.co.uk today.", [("EMAIL", "jane.doe@example.co.uk")]),
        ("我的手机号是13812345678，邮箱是a@b.com", [("PHONE", "13812345678"), ("EMAIL", "a@b.com")]),
        ("Call (415) 555-0123 or +44 20 7946 0958.", [("PHONE", "(415) 555-0123"), ("PHONE", "+44 20 7946 0958")]),
        ("电话：+86 138 1234 5678。座机010-62345678", [("PHONE", "+86 138 1234 5678"), ("PHONE", "010-62345678")]),
        ("Server at 192.168.1.10, v6 2001:db8::1.", [("IP", "192.168.1.10"), ("IP", "2001:db8::1")]),
        ("服务器IP是10.0.0.7，登录IP172.16.5.4。", [("IP", "10.0.0.7"), ("IP", "172.16.5.4")]),
        (
            "See https://example.com/a?b=1, or www.example.org.",
            [("URL", "https://example.com/a?b=1"), ("URL", "www.example.org")],
        ),
        ("网址https://example.cn/u/42了解详情", [("URL", "https://example.cn/u/42")]),
        (
            "Card 4111 1111 1111 1111 (Visa), Amex 3782-822463-10005",
            [("CARD", "4111 1111 1111 1111"), ("CARD", "3782-822463-10005")],
        ),
        ("银行卡号：6217001234567890122（工行）", [("CARD", "6217001234567890122")]),
        (
            "身份证号11010519491231002X，另一个440305198506151233",
            [("CN_ID", "11010519491231002X"), ("CN_ID", "440305198506151233")],
        ),
        ("ID: 11010519491231002x", [("CN_ID", "11010519491231002x")]),
        ("护照号码E12345678，旧护照G1234567", [("PASSPORT", "E12345678"), ("PASSPORT", "G1234567")]),
        ("My passport number is 123456789.", [("PASSPORT", "123456789")]),
        ("Please forward this to Emily Johnson in accounting.", [("PERSON", "Emily Johnson")]),
        (
            "我叫王小明，联系人张伟电话13912345678，李娜女士",
            [("PERSON", "王小明"), ("PERSON", "张伟"), ("PHONE", "13912345678"), ("PERSON", "李娜")],
        ),
        ("联系人：John Smith，电话13912345678", [("PERSON", "John Smith"), ("PHONE", "13912345678")]),
    ],
)
def test_finds_each_type_in_english_and_chinese(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The number 4111 1111 1111 1112 failed card validation.",  # Luhn fails
        "身份证号110105194912310021格式有误",  # GB 11643 check character is X, not 1
        "ID 310115200102290045 is not valid",  # right check digit, but 29 February 2001 never was
        "Upgrade to version 3.8.18 (build 10.0.19041.84) before 2024-05-18 at 10:30.",
        "Order #2024051800123 shipped; invoice 48213, SKU-88412-B, v1.2.3.4",
        "订单号2024051812已发货，快递单号SF123456789012，金额¥1,234.56",
        "Passport office opens at 9; ticket 20240518.",  # a number near 'passport' that is no passport number
        "The ticket was closed by the support team.",
    ],
)
def test_look_alikes_are_not_flagged(text):
    assert found(text) == []


def test_types_and_names_limit_what_is_found():
    text = "Emily Johnson: emily@example.com, 13812345678"
    assert found(text, types=["EMAIL"]) == [("EMAIL", "emily@example.com")]
    assert [kind for kind, _ in found(text, names=False)] == ["EMAIL", "PHONE"]
    with pytest.raises(ValueError, match="unknown PII types"):
        find_pii(text, types=["EMAIL_ADDRESS"])


def test_spans_are_exact_and_never_overlap():
    text = "Link http://example.com/u?mail=a@b.com and card 4111111111111111."
    findings = find_pii(text)
    assert [(f.type, f.text) for f in findings] == [
        ("URL", "http://example.com/u?mail=a@b.com"),
        ("CARD", "4111111111111111"),
    ]
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:]))


def test_find_pii_many_matches_find_pii():
    texts = ["Dear Emily Johnson,", "no pii", "邮箱a@b.com"]
    assert find_pii_many(texts) == [find_pii(text) for text in texts]


def test_valid_cn_id():
    assert valid_cn_id("11010519491231002X") and valid_cn_id("110105 19491231 002X")
    assert not valid_cn_id("110105194912310021") and not valid_cn_id("11010519491231002")


TEXT = "Mail jane@example.com or call 138 1234 5678."


def test_modes_mask_redact_hash():
    findings = find_pii(TEXT)
    assert replace(TEXT, findings, "mask") == "Mail <EMAIL> or call <PHONE>."
    assert replace(TEXT, findings, "redact") == "Mail  or call ."
    hashed = replace(TEXT, findings, "hash", salt="pepper")
    assert hashed.startswith("Mail <EMAIL:") and len(hashed.split("<PHONE:")[1].split(">")[0]) == 12


def test_hash_is_deterministic_salted_and_ignores_formatting():
    def token(text: str, salt: str) -> str:
        return replace(text, find_pii(text), "hash", salt)

    assert token("call 138 1234 5678", "a") == token("call 138 1234 5678", "a")
    assert token("call 138 1234 5678", "a") == token("call +86 13812345678", "a")  # same number, other format
    assert token("call 138 1234 5678", "a") != token("call 138 1234 5678", "b")
    assert token("call 138 1234 5678", "a") != token("call 138 1234 5679", "a")
    assert token("Jane@Example.com", "a") == token("jane@example.com", "a")


def test_placeholders_are_never_detected_again():
    masked = replace(TEXT, find_pii(TEXT), "mask") + " <PERSON> met <PERSON>."
    hashed = replace(TEXT, find_pii(TEXT), "hash", salt="s")
    assert find_pii(masked) == [] and find_pii(hashed) == []
    assert found("<PHONE> or 13912345678") == [("PHONE", "13912345678")]


def chat(user: str, answer: str = "Thanks, noted.", **meta) -> dict:
    turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": turns, "meta": json.dumps(meta)}


ROWS = [
    chat("我的手机号是13812345678，邮箱是a@b.com", id="zh"),
    chat("Where is my order 40502?", id="clean"),
    chat("Card 4111 1111 1111 1111 was charged twice.", "Thanks, Emily Johnson sent the refund.", id="en"),
]


def test_op_masks_counts_and_keeps_meta():
    result = run(Dataset.from_list(ROWS), Config(), OpContext())
    assert result.kept == 3 and result.changed == 2 and result.removed == {}
    assert result.stats["found"] == {"EMAIL": 1, "PHONE": 1, "CARD": 1, "PERSON": 1}
    rows = result.dataset.to_list()
    assert result.dataset.column_names == ["messages", "meta"]
    assert rows[0]["messages"][0]["content"] == "我的手机号是<PHONE>，邮箱是<EMAIL>"
    assert [t["content"] for t in rows[2]["messages"]] == [
        "Card <CARD> was charged twice.",
        "Thanks, <PERSON> sent the refund.",
    ]
    assert rows[1] == ROWS[1] and [json.loads(r["meta"])["id"] for r in rows] == ["zh", "clean", "en"]
    example = result.examples["changed"][0]
    assert set(example) == {"after"}  # the report shows no record as it was before masking: that is the PII
    assert example["after"]["messages"][0]["content"] == "我的手机号是<PHONE>，邮箱是<EMAIL>"
    assert set(example["after"]) == {"messages", "meta"}


def test_op_twice_changes_nothing_the_second_time():
    once = run(Dataset.from_list(ROWS), Config(mode="hash", salt="s"), OpContext())
    twice = run(once.dataset, Config(mode="hash", salt="s"), OpContext())
    assert twice.changed == 0 and twice.stats["found"] == {} and twice.dataset.to_list() == once.dataset.to_list()


def test_op_redact_drop_types_and_text_records():
    redacted = run(Dataset.from_list(ROWS), Config(mode="redact", types=["EMAIL"]), OpContext())
    assert redacted.changed == 1 and redacted.stats["found"] == {"EMAIL": 1}
    assert redacted.dataset[0]["messages"][0]["content"] == "我的手机号是13812345678，邮箱是"
    dropped = run(Dataset.from_list(ROWS), Config(drop=True, names=False), OpContext())
    assert dropped.removed == {"contains PII": 2} and dropped.kept == 1
    assert dropped.stats["found"] == {"EMAIL": 1, "PHONE": 1, "CARD": 1}
    shown = dropped.examples["removed: contains PII"]
    assert len(shown) == 2 and "13812345678" not in json.dumps(shown, ensure_ascii=False)  # dropped, shown masked
    assert "<PHONE>" in json.dumps(shown, ensure_ascii=False)
    docs = run(Dataset.from_list([{"text": "Reach me at a@b.com"}]), Config(), OpContext())
    assert docs.dataset[0]["text"] == "Reach me at <EMAIL>"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "hash"}, "needs a salt"),
        ({"types": ["EMAIL", "SSN"]}, "SSN"),
        ({"types": []}, "at least 1"),
        ({"mode": "scramble"}, "mode"),
        ({"mask": True}, "Extra inputs"),
    ],
)
def test_config_validation(options, message):
    with pytest.raises(ValidationError, match=message):
        Config(**options)


def test_finding_is_a_frozen_value():
    finding = Finding("EMAIL", 0, 7, "a@b.com")
    with pytest.raises(AttributeError):
        finding.type = "URL"  # type: ignore[misc]


def test_lone_capitalised_words_in_product_names_are_not_people_but_cued_first_names_are():
    from tunesmith.data.pii import find_pii

    assert find_pii("Does the SmartPlug Mini work with the GlowBulb Color? See the Orders page.") == []
    found = find_pii("Hello, my name is Anna and my order is late.")
    assert [(f.type, f.text) for f in found] == [("PERSON", "Anna")]
