"""Phone shapes whatever their allocation, references that are no phones, and order numbers that are no cards."""

from __future__ import annotations

import pytest

from tunesmith.data.pii import find_pii


def found(text: str, kind: str) -> list[str]:
    return [f.text for f in find_pii(text, names=False) if f.type == kind]


@pytest.mark.parametrize(
    "phone",
    [
        "1-198-014-4839", "198-190-0931", "(089) 014-7990", "905.014.5690", "(11) 93062-6116", "(03) 4303 0673",
        "(0532) 47649755", "03-9959-0294", "0221/595827", "0466 013 282", "92515 80445", "080-1721-2395",
    ],
)  # fmt: skip
def test_phone_shapes_with_any_area_code(phone):
    assert found(f"Callback number {phone}, prefers mornings.", "PHONE") == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "The card was charged twice for ORD-2023-621097.",
        "Your order #2024-624006 has shipped.",
        "Reference SO-2024-560383 is due.",
        "Bank transfer reference 8852 0173 8331 2181. Amount £4,752.99",
        "Purchase Order (#2022-438450) is late.",
        "Released 2023-621097 builds today.",
        "Date 05.04.2022 and 05-04-2022.",
    ],
)
def test_references_years_and_dates_are_not_phones(text):
    assert found(text, "PHONE") == []


def test_a_year_shaped_number_after_a_phone_word_is_a_phone():
    assert found("Tel: 2023-621097", "PHONE") == ["2023-621097"]


def test_order_numbers_are_not_cards():
    assert found("用户：订单202201034472049624一直没发货。", "CARD") == []
    assert found("您的订单 4111111111111111 已发货", "CARD") == []
    assert found("Paid with card 4111 1111 1111 1111 today", "CARD") == ["4111 1111 1111 1111"]
    assert found("Amex 378282246310005 on file", "CARD") == ["378282246310005"]


def test_an_ip_in_brackets_is_an_ip_not_a_phone():
    text = "someone posted my IP (139.182.29.149) in chat"
    assert found(text, "IP") == ["139.182.29.149"] and found(text, "PHONE") == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see shop.kuaile-live.com/listing/4471 for photos", "shop.kuaile-live.com/listing/4471"),
        ("个人主页：pod.lowtidefm.com/p/9f3a2c", "pod.lowtidefm.com/p/9f3a2c"),
    ],
)
def test_a_host_and_path_without_scheme_is_a_url(text, url):
    assert found(text, "URL") == [url]


@pytest.mark.parametrize("text", ["read v1.2/docs first", "run a.out/x", "ratio 3.5/10", "see notes.txt/old"])
def test_version_numbers_and_files_are_no_urls(text):
    assert found(text, "URL") == []


def test_addresses_on_private_use_domains_are_emails_too():
    from tunesmith.data.pii import find_pii

    for text in ("email=giulia84@corp.example ip=10.0.0.1", "Reviewed-by: Ana <ana@build.internal>", "x@y.lan"):
        assert [f.type for f in find_pii(text) if f.type == "EMAIL"] == ["EMAIL"], text
    assert not [f for f in find_pii("see config@v2.notatld for details") if f.type == "EMAIL"]
