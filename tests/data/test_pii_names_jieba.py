"""Chinese names from jieba's tagger: a word tagged as a person that starts with a known surname, a name jieba cut
in two put back together, and the titles, roles and places that must stay."""

from __future__ import annotations

import pytest

pytest.importorskip("jieba")

from tunesmith.data.pii.names_jieba import JiebaNameRecognizer, is_surname_led, names_in  # noqa: E402


def names(text: str) -> list[str]:
    return [text[start:end] for start, end in names_in(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("魏佳豪 will present the Q3 numbers on Friday.", ["魏佳豪"]),
        ("这批货是康军签收的。", ["康军"]),
        ("崔桂英把会议纪要发到群里了。", ["崔桂英"]),
        ("Please send the NDA to 范文静 before the kickoff.", ["范文静"]),  # jieba: 范文/nr 静/nr
        ("本周值日生：许淑芬", ["许淑芬"]),  # jieba: 许/m 淑芬/nrt
        ("面试官梁建国的评价：沟通能力强。", ["梁建国"]),  # jieba: 梁建国/ns
    ],
)
def test_names_jieba_tags(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "方总的方案已经通过。",
        "高新区的新店下月开业。",
        "退款申请人：",
        "明天的会议改在三楼。",
        "Please restart the service.",
    ],
)
def test_titles_roles_places_and_words_are_not_names(text):
    assert names(text) == []


def test_is_surname_led():
    assert is_surname_led("欧阳国庆") and is_surname_led("王伟")
    assert not is_surname_led("王") and not is_surname_led("明天") and not is_surname_led("幼儿园")
    assert not is_surname_led("王总") and not is_surname_led("申请人") and not is_surname_led("王建国同志们好")


def test_recognizer_reports_person_results():
    results = JiebaNameRecognizer().analyze("这批货是康军签收的。", ["PERSON"])
    assert [(r.entity_type, r.start, r.end) for r in results] == [("PERSON", 4, 6)]


@pytest.mark.parametrize(
    "text",
    ["今天阳光很好，顾客很多。", "石家庄的用户反馈网络很慢。", "邱比特的箭", "孔雀开屏了。", "宋体字显示不正常。"],
)
def test_common_words_the_dictionary_tags_as_names_are_not_names(text):
    assert names(text) == []
