"""normalize: NFKC with Chinese punctuation kept, control characters, whitespace and custom rules."""

from __future__ import annotations

import json

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext
from tunesmith.data.ops.normalize import Config, normalize_text, run


def chat(user: str, answer: str, **meta) -> dict:
    turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": turns, "meta": json.dumps(meta)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打三折，只要３％的手续费", "打三折，只要3%的手续费"),  # full-width digits and % fold, the Chinese comma stays
        ("ＡＢＣ１２３　ok", "ABC123 ok"),  # full-width letters and the ideographic space
        ("你好，世界！（测试）", "你好，世界！（测试）"),  # CJK punctuation next to CJK stays full-width
        ("使用显卡（GPU）训练。", "使用显卡（GPU）训练。"),
        ("Hello！ Fine？", "Hello! Fine?"),  # the same marks after Latin text become ASCII
        ("①②、x²、ﬁle", "12、x2、file"),  # other compatibility forms fold as NFKC says
    ],
)
def test_nfkc_folds_full_width_but_keeps_chinese_punctuation(text, expected):
    assert normalize_text(text, Config()) == expected


def test_nfkc_can_fold_chinese_punctuation_too_or_be_off():
    assert normalize_text("你好，世界！", Config(keep_cjk_punctuation=False)) == "你好,世界!"
    assert normalize_text("３％", Config(nfkc=False)) == "３％"


def test_control_characters_go_but_newlines_tabs_and_emoji_joiners_stay():
    text = "a\r\nb\rc\x00d\u200be\ufefff\x85g\th 👨\u200d👩\u200d👧"
    assert normalize_text(text, Config(whitespace=False)) == "a\nb\ncdef" + "g\th 👨\u200d👩\u200d👧"
    assert normalize_text("a\x00b", Config(control=False, whitespace=False)) == "a\x00b"


def test_whitespace_collapses_runs_keeps_indentation_and_one_blank_line():
    text = "  Here is code:   \n\n\n\ndef f(x):\n    return  x\t+ 1   \n\n"
    assert normalize_text(text, Config()) == "Here is code:\n\ndef f(x):\n    return x + 1"
    assert normalize_text("a  b", Config(whitespace=False)) == "a  b"


def test_custom_rules_plain_and_regex_run_in_order():
    rules = [{"pattern": "colour", "with": "color"}, {"pattern": r"(\d+)\s*元", "with": r"\1 yuan", "regex": True}]
    assert (
        normalize_text("The colour costs 50 元 (colour.)", Config(replace=rules)) == "The color costs 50 yuan (color.)"
    )


def test_bad_regex_and_unknown_keys_are_validation_errors():
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        Config(replace=[{"pattern": "(unclosed", "with": "", "regex": True}])
    with pytest.raises(ValidationError):
        Config(replace=[{"pattern": "a", "to": "b"}])
    with pytest.raises(ValidationError):
        Config(nfck=True)


def test_run_counts_only_records_that_changed_and_keeps_meta():
    rows = [
        chat("What is 3％ of 200？", "６ dollars.", id="a"),
        chat("Clean already?", "Yes.", id="b"),
        chat("中文标点，保持原样。", "好的！", id="c"),
        chat("Extra   spaces ", "\ufeffBOM\x07 here", id="d"),
    ]
    result = run(Dataset.from_list(rows), Config(), OpContext())
    assert result.changed == 2 and result.removed == {} and result.kept == 4
    out = result.dataset.to_list()
    assert out[0]["messages"][0]["content"] == "What is 3% of 200?"  # "？" after Latin text folds
    assert out[0]["messages"][1]["content"] == "6 dollars."
    assert out[2]["messages"] == rows[2]["messages"]
    assert out[3]["messages"][0]["content"] == "Extra spaces"
    assert out[3]["messages"][1]["content"] == "BOM here"
    assert [json.loads(r["meta"])["id"] for r in out] == ["a", "b", "c", "d"]
    assert result.examples["changed"][0]["after"]["messages"][1]["content"] == "6 dollars."


def test_run_on_prompt_completion_and_text_records():
    pc = Dataset.from_list([{"prompt": "ＱＵＥＳＴＩＯＮ：", "completion": " answer  here "}])
    assert run(pc, Config(), OpContext()).dataset[0] == {"prompt": "QUESTION:", "completion": "answer here"}
    text = Dataset.from_list([{"text": "line one\n\n\n\nline two", "meta": "{}"}])
    assert run(text, Config(), OpContext()).dataset[0]["text"] == "line one\n\nline two"
