"""toxicity: English and Chinese word lists, leetspeak, allow-lists, drop vs flag, the offline classifier."""

from __future__ import annotations

import json

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext
from tunesmith.data.ops.toxicity import Config, find_terms, run, toxicity_score
from tunesmith.errors import InputError

REPLY = "I'm sorry about the trouble. Please share your order number."


def chat(user: str, answer: str = REPLY, **meta) -> dict:
    turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": turns, "meta": json.dumps(meta)}


ROWS = [
    chat("This is a fucking joke, your DoorBell Pro is garbage and you are all idiots.", id="en1"),
    chat("Where is my order 40502?", id="clean1"),
    chat("你们这帮傻逼，GlowBulb Color又坏了！", id="zh1"),
    chat("我在学习操作系统，妈妈的电脑坏了。", id="clean2"),  # 操作 and 妈妈的 hold no abuse
    chat("Answer me now you worthless piece of sh1t.", id="en2"),
    chat("Is Scunthorpe in your delivery area?", id="clean3"),
]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("FUCK this", ["fuck"]),
        ("ｆｕｃｋ you", ["fuck"]),  # full-width letters fold first
        ("what an a$$hole!", ["asshole"]),
        ("b!tch, sh1t happens", ["bitch", "shit"]),
        ("You stupid morons. Useless bastards.", ["morons", "bastards"]),
        ("垃圾客服，滚！他妈的。", ["他妈的"]),
        ("Scunthorpe United, a classic assessment", []),  # whole words only
        ("I have 5 apples and 1 orange!", []),  # digits outside words are not leetspeak
        ("今天是你的生日你妈妈呢？我在操作电脑", []),
        ("kill the process, go to hell, breast cancer screening", []),  # innocent senses are left out
    ],
)
def test_find_terms(text, terms):
    assert find_terms(text) == terms


def test_languages_pick_the_shipped_lists():
    assert find_terms("fuck 傻逼", languages=("zh",)) == ["傻逼"]
    assert find_terms("fuck 傻逼", languages=("en",)) == ["fuck"]


def test_drop_counts_and_keeps_clean_records():
    result = run(Dataset.from_list(ROWS), Config(), OpContext())
    assert result.removed == {"toxic (word list)": 3}
    assert [json.loads(r["meta"])["id"] for r in result.dataset] == ["clean1", "clean2", "clean3"]
    assert len(result.examples["removed: toxic (word list)"]) == 3


def test_flag_writes_terms_to_meta_and_keeps_everything():
    result = run(Dataset.from_list(ROWS), Config(action="flag"), OpContext())
    assert result.kept == 6 and result.removed == {} and result.changed == 3
    metas = [json.loads(r["meta"]) for r in result.dataset]
    assert [m.get("toxic") for m in metas] == [["fucking", "idiots"], None, ["傻逼"], None, ["shit"], None]
    assert metas[0]["id"] == "en1"


def test_flag_without_a_meta_column():
    data = Dataset.from_list([{"text": "what the fuck"}, {"text": "fine"}])
    result = run(data, Config(action="flag"), OpContext())
    assert json.loads(result.dataset[0]["meta"]) == {"toxic": ["fuck"]}


def test_extra_terms_terms_file_and_allow(tmp_path):
    (tmp_path / "terms.txt").write_text("# ours\ngarbage\n垃圾客服\n", encoding="utf-8")
    rows = [chat("your DoorBell Pro is garbage"), chat("垃圾客服！"), chat("This setup is idiot-proof"), chat("dumb")]
    cfg = Config(extra_terms=["dumb"], terms_file="terms.txt", allow=["idiot-proof"])
    result = run(Dataset.from_list(rows), cfg, OpContext(base_dir=tmp_path))
    assert result.removed == {"toxic (word list)": 3}
    assert result.dataset[0]["messages"][0]["content"] == "This setup is idiot-proof"
    assert find_terms("you idiot, it is idiot-proof", allow=("idiot-proof",)) == ["idiot"]


def test_missing_terms_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="terms_file"):
        run(Dataset.from_list(ROWS), Config(terms_file="nope.txt"), OpContext(base_dir=tmp_path))


def test_classifier_scores_offline_and_catches_what_lists_miss():
    assert toxicity_score(["you are so dumb and ugly, go away loser"]) > 0.99
    assert toxicity_score(["Thanks, the plug works now.", ""]) < 0.1
    rows = [chat("you are so dumb and ugly, go away loser"), chat("Thanks, the plug works now.")]
    result = run(Dataset.from_list(rows), Config(languages=[], classifier=True), OpContext())
    assert result.removed == {"toxic (classifier)": 1}
    flagged = run(Dataset.from_list(rows), Config(languages=[], classifier=True, action="flag"), OpContext())
    meta = json.loads(flagged.dataset[0]["meta"])
    assert meta["toxic"] == [] and meta["toxicity_score"] > 0.99


@pytest.mark.parametrize(
    "options", [{"action": "delete"}, {"languages": ["fr"]}, {"threshold": 1.5}, {"classifer": True}]
)
def test_bad_options(options):
    with pytest.raises(ValidationError):
        Config(**options)
