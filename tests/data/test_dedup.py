"""dedup: exact, near (MinHash LSH) and semantic grouping, and the op that keeps one record per group."""

from __future__ import annotations

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext, dedup
from tunesmith.data.similarity import exact_groups, lsh_bands, near_duplicate_groups, semantic_groups
from tunesmith.errors import InputError
from tunesmith.schema import validate

STORY = (
    "Maria Silva moved to Lisbon in 1998 to work as a baker at Blue Labs. The kettle sold by Iron Works costs "
    "42 dollars and ships within 3 days. Every March, the Denver library runs a free workshop on chess for 120 "
    "visitors, and the old camera that Omar Khan bought in 1975 still works after 7 repairs."
)
# Two typos ("Lisbin", "worhshop"), a comma and a double space: a near copy.
STORY_TYPOS = STORY.replace("Lisbon", "Lisbin").replace("workshop", "worhshop").replace("1998 to", "1998,  to")
# The same sentence shapes with other facts: a different text.
OTHER_FACTS = (
    "James Chen moved to Osaka in 2011 to work as a pilot at Rapid Motors. The drone sold by Cedar Foods costs "
    "900 dollars and ships within 12 days. Every June, the Perth library runs a free workshop on sailing for 35 "
    "visitors, and the old lamp that Elena Sato bought in 1990 still works after 2 repairs."
)
ZH = "王伟在2019年搬到武汉，在东方公司当医生。一位来自成都的工程师只用了十五分钟就修好了冰箱，大家都很满意。"
ZH_COPY = "王伟在2019年搬到武汉,在东方公司当医生。一位来自成都的工程师只用了十五分钟就修好了冰箱，大家也很满意！"
ZH_OTHER = "李娜在2003年搬到厦门，在蓝天公司当老师。她每年五月去图书馆参加书法讲座，已经读了二十本关于历史的书。"


def chat(user: str, answer: str, system: str | None = None, tag: str = "") -> dict:
    turns = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user},
        {"role": "assistant", "content": answer},
    ]
    return {"messages": turns, "meta": f'{{"tag": "{tag}"}}'}


def run(rows: list[dict], **options) -> dedup.OpResult:
    return dedup.run(Dataset.from_list(rows), dedup.Config(**options), OpContext())


def tags(result) -> list[str]:
    return [row["meta"].split('"')[3] for row in result.dataset]


def test_exact_groups_ignore_case_width_and_whitespace_but_not_punctuation():
    texts = ["Hello  World", "other text", "hello world", "ＨＥＬＬＯ\tworld\n", "Hello, World", "hello world!"]
    assert exact_groups(texts) == [[0, 2, 3]]
    assert exact_groups(["a", "b"]) == [] and exact_groups([]) == []


def test_near_groups_a_copy_with_typos_and_separates_other_facts():
    texts = [STORY, OTHER_FACTS, "Where is my parcel?", STORY_TYPOS]
    assert near_duplicate_groups(texts) == [[0, 3]]
    assert near_duplicate_groups(texts, threshold=0.99) == []  # the typos cost more than 1% of the shingles
    assert near_duplicate_groups(texts, threshold=0.3) == [[0, 3]]  # other facts stay apart even then
    assert near_duplicate_groups([STORY]) == [] and near_duplicate_groups([]) == []


def test_near_groups_chinese_copies_by_character_shingles():
    texts = [ZH_OTHER, ZH, "你好", ZH_COPY, "你好！"]
    assert near_duplicate_groups(texts) == [[1, 3], [2, 4]]  # punctuation never counts; short texts work too


def test_near_groups_are_clusters_joined_through_shared_members():
    long = STORY * 3
    chain = [long, long.replace("Lisbon", "Lisbin"), long.replace("Lisbon", "Lisbin").replace("Denver", "Denvar")]
    assert near_duplicate_groups([OTHER_FACTS, *chain, *chain]) == [[1, 2, 3, 4, 5, 6]]


def test_near_joins_a_huge_bucket_of_templated_texts_by_chaining():
    template = "Ticket {}: please translate this into French, keeping the tone friendly: how are you today, my friend?"
    texts = [template.format(i) for i in range(300)] + [OTHER_FACTS]  # 300 share LSH buckets: more than the window
    assert near_duplicate_groups(texts) == [list(range(300))]


def test_lsh_bands_catch_pairs_at_the_threshold():
    for threshold in (0.5, 0.8, 0.95):
        bands, rows = lsh_bands(threshold, 128)
        assert bands * rows <= 128
        assert 1 - (1 - threshold**rows) ** bands >= 0.95
        assert 1 - (1 - threshold ** (rows + 1)) ** (128 // (rows + 1)) < 0.95  # no stricter banding would do


def test_semantic_groups_paraphrases_not_unrelated_text():
    texts = [
        "How do I reset my password?",
        "What is the capital of France?",
        "How can I reset my password?",
        "How do I reset my router?",
        "I forgot my password, how do I reset it?",
    ]
    assert semantic_groups(texts) == [[0, 2]]
    assert semantic_groups(texts, threshold=0.9) == [[0, 2, 4]]


def test_op_keeps_first_of_each_cluster_with_counts_and_examples():
    rows = [
        chat(STORY, "Noted.", tag="a"),
        chat(OTHER_FACTS, "Noted.", tag="b"),
        chat(STORY_TYPOS, "Noted.", tag="c"),
        chat(STORY.lower(), "Noted.", tag="d"),
        chat("Where is my parcel?", "On its way.", tag="e"),
    ]
    result = run(rows)
    assert tags(result) == ["a", "b", "e"]
    assert result.removed == {"near duplicate": 2}
    assert result.stats == {"clusters": 1, "duplicates": 2, "largest_cluster": 3}
    [cluster] = result.examples["clusters"]
    assert cluster["size"] == 3 and cluster["kept"].startswith("Maria Silva moved to Lisbon")
    assert cluster["kept"].endswith("…") and len(cluster["kept"]) == dedup.SNIPPET
    assert [text[:20] for text in cluster["removed"]] == ["Maria Silva moved to", "maria silva moved to"]
    assert [r["meta"]["tag"] for r in result.examples["removed: near duplicate"]] == ["c", "d"]


def test_op_keep_longest_and_exact_method():
    rows = [
        chat("Reset my password", "Use the link.", tag="short"),
        chat("reset my  password", "Open Settings, choose Account, then Reset password.", tag="long"),
        chat("Reset my password.", "Use the link.", tag="punct"),
    ]
    result = run(rows, method="exact", on="prompt", keep="longest")
    assert tags(result) == ["long", "punct"]
    assert result.removed == {"exact duplicate": 1}
    assert result.stats == {"clusters": 1, "duplicates": 1, "largest_cluster": 2}
    assert tags(run(rows, method="exact", on="prompt")) == ["short", "punct"]
    assert tags(run(rows, method="exact")) == ["short", "long", "punct"]  # answers differ: not duplicates


def test_op_compares_prompts_without_system_turns_and_leaves_blank_texts():
    system = "You are the support assistant of a smart-home shop. " * 20
    rows = [
        chat("My heater does not turn on.", "Check the fuse.", system, tag="a"),
        chat("Can I return a lamp after 40 days?", "Yes, within 60 days.", system, tag="b"),
        chat("My heater does not turn on.", "Please check the fuse first.", "Be brief.", tag="c"),
        {"text": "", "meta": '{"tag": "d"}'},
        {"text": "  ", "meta": '{"tag": "e"}'},
    ]
    result = run(rows, on="prompt")
    assert tags(result) == ["a", "b", "d", "e"]
    assert result.stats["clusters"] == 1
    assert tags(run(rows)) == ["a", "b", "c", "d", "e"]  # whole texts differ in their answers


def test_op_on_empty_dataset_and_semantic_method():
    assert run([], method="exact").kept == 0
    rows = [chat("How do I reset my password?", "Use the link.", tag="a")]
    rows += [chat("How can I reset my password?", "Use the link.", tag="b")]
    rows += [chat("What is the capital of France?", "Paris.", tag="c")]
    result = run(rows, method="semantic", on="prompt")
    assert tags(result) == ["a", "c"] and result.removed == {"semantic duplicate": 1}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"threshold": 0}, "greater than 0"),
        ({"threshold": 1.5}, "less than or equal to 1"),
        ({"method": "exact", "threshold": 0.9}, "threshold applies to near and semantic"),
        ({"method": "semantic", "num_perm": 64}, "num_perm applies to near dedup only"),
        ({"method": "fuzzy"}, "'exact', 'near' or 'semantic'"),
        ({"num_perm": 4}, "greater than or equal to 16"),
    ],
)
def test_config_is_validated(options, message):
    with pytest.raises(ValidationError, match=message):
        dedup.Config(**options)
    with pytest.raises(InputError):
        validate(dedup.Config, options, "ops[0] (dedup)")


def test_config_defaults_per_method():
    assert dedup.Config().similarity == 0.8
    assert dedup.Config(method="semantic").similarity == 0.95
    assert dedup.Config(method="near", threshold=0.7).similarity == 0.7
