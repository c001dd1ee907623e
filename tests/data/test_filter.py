"""filter: empty answers, refusals (EN, ZH), token bounds, language, repetition, and their removal reasons."""

from __future__ import annotations

import json

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext
from tunesmith.data.ops.filter import Config, detect_language, is_refusal, repetition, run


def chat(user: str, answer: str | None, **meta) -> dict:
    turns = [{"role": "user", "content": user}]
    turns += [{"role": "assistant", "content": answer}] if answer is not None else []
    return {"messages": turns, "meta": json.dumps(meta)}


def ids(result) -> list[str]:
    return [json.loads(r["meta"])["id"] for r in result.dataset]


EXTRACT = "Extract the person's name, gender, age, city and phone as JSON with keys name, gender, age, city, phone."
ONLY = {"drop_empty": False, "drop_refusals": False, "max_repetition": None}  # every default rule off


def test_empty_and_refusal_answers_are_dropped_by_default():
    rows = [
        chat("Does the Hub X1 have a night mode?", "Yes, under Settings > Display.", id="ok"),
        chat("Does the HomeCam 2K have a night mode?", "", id="empty"),
        chat("Does the DoorBell Pro have a night mode?", "  \n ", id="blank"),
        chat("Is there a night mode?", None, id="no-answer"),
        chat("Does the SmartPlug Mini have a night mode?", "I\u2019m sorry, but I can\u2019t help with that.", id="r1"),
        chat("Does it have a night mode?", "As an AI language model, I cannot answer this.", id="r2"),
        chat("夜间模式怎么开？", "作为一个AI语言模型，我无法回答这个问题。", id="r3"),
        chat("能退货吗？", "很抱歉，我不能提供这方面的信息。", id="r4"),
        chat("I can't wait for it!", "We can't wait either. I cannot imagine a better gift.", id="ok2"),
        chat("这个功能好用吗？", "我无法想象没有它的生活，非常好用。", id="ok3"),
    ]
    result = run(Dataset.from_list(rows), Config(), OpContext())
    assert ids(result) == ["ok", "ok2", "ok3"]
    assert result.removed == {"empty answer": 3, "refusal": 4}
    off = run(Dataset.from_list(rows), Config(drop_empty=False, drop_refusals=False), OpContext())
    assert off.kept == 10


def test_text_and_prompt_completion_records():
    text = Dataset.from_list([{"text": "   "}, {"text": "A manual page."}])
    assert run(text, Config(), OpContext()).removed == {"empty text": 1}
    pc = Dataset.from_list(
        [{"prompt": "Q?", "completion": ""}, {"prompt": "Q?", "completion": "As an AI language model…"}]
    )
    assert run(pc, Config(), OpContext()).removed == {"empty answer": 1, "refusal": 1}


def test_refusal_phrases():
    assert is_refusal("Sorry, but I cannot assist with that request.")
    assert not is_refusal("As an AI engineer, I cannot stress this enough: back up your data.")
    assert not is_refusal("作为AI工程师，你需要了解微调。")


def test_token_bounds_use_the_models_tokenizer(smol_dir, smol_tokenizer):
    texts = {"short": "Hi", "mid": "Where is my order for the SmartPlug Mini?", "long": "word " * 80}
    rows = [chat(text, "ok", id=name) for name, text in texts.items()]
    counts = {n: len(smol_tokenizer(t + "\nok", add_special_tokens=False)["input_ids"]) for n, t in texts.items()}
    assert counts["short"] < 5 <= counts["mid"] <= 40 < counts["long"]
    result = run(Dataset.from_list(rows), Config(min_tokens=5, max_tokens=40, model=smol_dir, **ONLY), OpContext())
    assert ids(result) == ["mid"]
    assert result.removed == {"too short (< 5 tokens)": 1, "too long (> 40 tokens)": 1}


def test_language_keeps_listed_languages_and_undetermined_short_texts():
    rows = [
        chat("Where is my order?", "It left our warehouse yesterday and arrives on Friday.", id="en"),
        chat("我的订单到哪里了？", "订单已经出库，物流单号在确认邮件里。", id="zh"),
        chat("注文した商品はいつ届きますか？", "ご注文の商品は明日発送いたします。", id="ja"),
        chat("Wo ist meine Bestellung?", "Ihre Bestellung hat unser Lager gestern verlassen.", id="de"),
        chat("Hello", "Blue.", id="short"),  # too little text to tell: kept
        chat(EXTRACT + "\n\nText: 电话152-3763-3459，韩敏女士，45岁，重庆人。", '{"name": "韩敏"}', id="mixed-en"),
        chat("把这个 Python 函数改成 async 的", "好的，用 async def 定义，再 await 调用。", id="mixed-zh"),
    ]
    result = run(Dataset.from_list(rows), Config(languages=["en", "zh"], **ONLY), OpContext())
    assert ids(result) == ["en", "zh", "short", "mixed-en", "mixed-zh"]
    assert result.removed == {"language ja": 1, "language de": 1}
    english = run(Dataset.from_list(rows), Config(languages=["en"], **ONLY), OpContext())
    assert ids(english) == ["en", "short", "mixed-en"]  # a mixed record counts as its dominant language
    assert english.removed == {"language zh": 2, "language ja": 1, "language de": 1}


def test_detect_language_folds_chinese_varieties():
    assert detect_language("北京是中国的首都，也是一座历史悠久的城市。") == "zh"
    assert detect_language("Hello") is None
    assert detect_language("Hello", min_confidence=0.0) is not None


def test_repetition_measure():
    assert repetition("The battery lasts about six months with default motion settings.") == 0.0
    assert repetition("I think that " * 6) > 0.5
    assert repetition("好的" * 10) > 0.8
    assert repetition("def f():\n    return 1\n\ndef g():\n    return 1\n") < 0.3
    assert repetition("no no") == 0.0  # fewer than five units: nothing to compare


def test_repetitive_answers_are_dropped_with_the_bound_in_the_reason():
    rows = [
        chat("Tell me about the thermostat.", "It learns your schedule and saves energy in winter.", id="ok"),
        chat("Tell me about the camera.", "The camera is great. " * 8, id="loop"),
        chat("介绍一下灯泡。", "这个灯泡很好用。" * 6, id="zh-loop"),
    ]
    result = run(Dataset.from_list(rows), Config(), OpContext())
    assert ids(result) == ["ok"] and result.removed == {"repetition > 0.3": 2}
    assert run(Dataset.from_list(rows), Config(max_repetition=None), OpContext()).kept == 3


@pytest.mark.parametrize(
    "options",
    [
        {"min_tokens": 10, "max_tokens": 5},
        {"min_tokens": 0},
        {"languages": ["english"]},
        {"languages": []},
        {"max_repetition": 0},
        {"drop_emtpy": True},
    ],
)
def test_bad_options(options):
    with pytest.raises(ValidationError):
        Config(**options)
