"""The shipped probe is what the builder writes, bilingual, and every item is checkable as meant: IFEval's checkers
pass a reply that follows its instructions and fail one that breaks the first."""

from __future__ import annotations

from collections import Counter

import pytest

from tunesmith.eval.probe import PROBE_FILE, load_probe, score_probe
from tunesmith.eval.probes.build import BY_ID, TEMPLATES, build_items, example_reply, main

# Checkers that read Chinese text as they read English (no word splitting on spaces, no ASCII-only punctuation).
CHINESE_SAFE = {
    "keywords:existence",
    "keywords:frequency",
    "language:response_language",
    "length_constraints:number_paragraphs",
    "detectable_content:number_placeholders",
    "detectable_content:postscript",
    "detectable_format:number_bullet_lists",
    "detectable_format:constrained_response",
    "detectable_format:number_highlighted_sections",
    "detectable_format:multiple_sections",
    "detectable_format:json_format",
    "detectable_format:title",
    "combination:two_responses",
    "combination:repeat_prompt",
    "startend:end_checker",
    "startend:quotation",
}


def test_the_shipped_file_is_what_the_builder_writes(tmp_path):
    out = tmp_path / "probe.jsonl"
    main(["--out", str(out)])
    assert out.read_bytes() == PROBE_FILE.read_bytes()  # rerun `python -m tunesmith.eval.probes.build` after edits
    main(["--out", str(out), "--per-language", "3"])
    assert [item["language"] for item in load_probe(out)] == ["en", "zh"] * 3


def test_the_probe_is_large_bilingual_balanced_and_has_no_repeated_prompt():
    items = load_probe()
    languages = Counter(item["language"] for item in items)
    assert len(items) >= 800 and languages["en"] == languages["zh"]
    assert [item["key"] for item in items] == list(range(len(items)))
    assert len({item["prompt"] for item in items}) == len(items)
    firsts = Counter((item["language"], item["instruction_id_list"][0]) for item in items)
    for template in TEMPLATES:  # every template asked in each of its languages, and often enough to count
        assert all(firsts[lang, template.instruction_id] >= 20 for lang in template.languages)
    assert sum(len(item["instruction_id_list"]) > 1 for item in items) > len(items) / 10  # some ask two things


def test_chinese_items_use_only_checkers_that_read_chinese():
    used = {i for item in load_probe() if item["language"] == "zh" for i in item["instruction_id_list"]}
    assert used <= CHINESE_SAFE and len(used) >= 12


@pytest.mark.parametrize("follows", [True, False])
def test_each_item_passes_a_following_reply_and_fails_a_breaking_one(follows):
    items = load_probe()
    _, rows = score_probe(items, [example_reply(item, follows) for item in items])
    for item, row in zip(items, rows):
        first, *rest = item["instruction_id_list"]
        expected = {first: follows} | dict.fromkeys(rest, True)  # a breaking reply still keeps the added ones
        assert row["passed"] == expected, (item["key"], item["prompt"], row["prediction"])


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.instruction_id)
def test_each_templates_following_and_breaking_replies_differ_in_every_language(template):
    for lang in template.languages:
        item = next(
            i
            for i in build_items(60)
            if i["language"] == lang and i["instruction_id_list"][0] == template.instruction_id
        )
        kwargs = item["kwargs"][0]
        assert template.good(kwargs, lang) != template.bad(kwargs, lang)
        assert template.text(kwargs, lang)  # each language has its own wording
        assert BY_ID[template.instruction_id] is template


def test_chinese_response_language_is_checked_although_ifeval_lists_no_zh():
    item = {
        "key": 0,
        "prompt": "p",
        "instruction_id_list": ["language:response_language"],
        "kwargs": [{"language": "zh"}],
    }
    metrics, rows = score_probe([item, item], ["我们明天一起去公园散步，好吗？", "Shall we walk in the park tomorrow?"])
    assert [row["passed"]["language:response_language"] for row in rows] == [True, False]


@pytest.mark.parametrize(
    ("instruction", "kwargs", "breaking_reply"),
    [
        ("punctuation:no_comma", {}, "你好，世界。"),  # a full-width comma is not ","
        ("keywords:forbidden_words", {"forbidden_words": ["花园"]}, "我家的花园很漂亮。"),  # no \b inside Chinese
        (
            "length_constraints:number_words",
            {"num_words": 5, "relation": "less than"},
            "我家的花园很漂亮，我每天都去散步。",
        ),
    ],
)
def test_the_checkers_left_out_for_chinese_pass_chinese_replies_that_break_them(instruction, kwargs, breaking_reply):
    item = {"key": 0, "prompt": "p", "instruction_id_list": [instruction], "kwargs": [kwargs]}
    _, [row] = score_probe([item], [breaking_reply])
    assert row["passed"][instruction] is True  # why the builder asks these only in English
