"""select: keywords, embedding cosine, perplexity quantile, trained classifier, and how they combine."""

from __future__ import annotations

import json

import numpy as np
import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext
from tunesmith.data.ops.select import Config, Perplexity, on_domain, perplexities, run
from tunesmith.errors import InputError

SYSTEM = "You are the support assistant of HomeSmart, a smart-home device shop."
DESCRIPTION = "Customer support for a smart-home device shop."
ON = [
    ("Where is my order for the SmartPlug Mini?", "Your order left our warehouse; tracking is in your email."),
    ("How do I return the HomeCam 2K?", "Return it within 30 days from the Orders page; we email a label."),
    ("My thermostat does not connect to wifi.", "Hold the button for ten seconds to reset it, then pair again."),
    ("智能插座怎么退货？", "签收后30天内可在订单页申请退货。"),
]
OFF = [
    ("How long should I boil an egg for a runny yolk?", "About six minutes in boiling water."),
    ("Who won the 2018 football World Cup?", "France won the 2018 World Cup."),
    ("推荐一部科幻小说。", "《三体》。"),
]


def chat(user: str, answer: str, **meta) -> dict:
    turns = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    return {"messages": [*turns, {"role": "assistant", "content": answer}], "meta": json.dumps(meta)}


def dataset() -> Dataset:
    rows = [chat(q, a, id=f"on{i}") for i, (q, a) in enumerate(ON)]
    return Dataset.from_list(rows + [chat(q, a, id=f"off{i}") for i, (q, a) in enumerate(OFF)])


def ids(result) -> list[str]:
    return [json.loads(r["meta"])["id"] for r in result.dataset]


def test_keywords_count_distinct_terms_outside_the_system_prompt(tmp_path):
    (tmp_path / "terms.txt").write_text("# shop words\norder\nreturn\n退货\n", encoding="utf-8")
    cfg = Config(keywords={"terms": ["SmartPlug", "HomeCam", "wifi", "smart-home"], "terms_file": "terms.txt"})
    result = run(dataset(), cfg, OpContext(base_dir=tmp_path))
    assert ids(result) == ["on0", "on1", "on2", "on3"]  # "smart-home" only appears in the system prompt
    assert result.removed == {"off-domain (keywords)": 3}
    assert result.stats["keywords"]["passed"] == 4 and result.stats["keywords"]["max"] == 2
    two = run(dataset(), Config(keywords={"terms": ["order", "SmartPlug", "return"], "min_hits": 2}), OpContext())
    assert ids(two) == ["on0"]


def test_embedding_threshold_and_realistic_scores():
    result = run(dataset(), Config(embedding={"description": DESCRIPTION, "threshold": 0.05}), OpContext())
    assert ids(result) == ["on0", "on1", "on2"]  # all-MiniLM-L6-v2 is English-only: Chinese text scores near 0
    stats = result.stats["embedding"]
    assert stats["passed"] == 3 and 0.3 < stats["max"] < 0.7  # on-domain chats score well below the default 0.7
    strict = run(dataset(), Config(embedding={"description": DESCRIPTION}), OpContext())
    assert strict.kept == 0 and strict.removed == {"off-domain (embedding)": 7}


def test_perplexity_batches_agree_and_quantile_cuts(tiny_model_dir):
    texts = ["Where is my order?", "The plug is on.", "a b c d e f g h i j k", "智能插座怎么退货？", "x"]
    one = perplexities(texts, Perplexity(model=str(tiny_model_dir), batch_size=1))
    many = perplexities(texts, Perplexity(model=str(tiny_model_dir), batch_size=4))
    assert np.allclose(one[:4], many[:4], rtol=1e-4) and np.all(one[:4] > 1)
    assert np.isinf(one[4]) and np.isinf(many[4])  # a single token has no perplexity
    cfg = Config(perplexity={"model": str(tiny_model_dir), "quantile": 0.5})
    result = run(dataset(), cfg, OpContext())
    cutoff = result.stats["perplexity"]["cutoff"]
    assert result.kept == 4 and result.removed == {"off-domain (perplexity)": 3}
    assert result.stats["perplexity"]["median"] == pytest.approx(cutoff, rel=1e-3)
    keep_all = Config(perplexity={"model": str(tiny_model_dir), "quantile": 1.0})
    assert run(dataset(), keep_all, OpContext()).kept == 7


def examples(path, good: bool = True) -> str:
    rows = [{"text": f"{q}\n{a}", "label": 1} for q, a in ON * 3] + [
        {"text": "Where is the nearest train station?\nTwo blocks north.", "label": 0},
        {"text": "Give me a recipe for banana bread.\nMash bananas, mix with flour, bake.", "label": 0},
        {"text": "What is the capital of Australia?\nCanberra.", "label": 0},
        {"text": "Write a haiku about autumn.\nRed leaves drift and fall.", "label": 0},
        {"text": "Explain photosynthesis.\nPlants turn light into sugar.", "label": 0},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path.name


def test_classifier_trained_from_examples(tmp_path):
    cfg = Config(classifier={"examples": examples(tmp_path / "ex.jsonl")})
    result = run(dataset(), cfg, OpContext(base_dir=tmp_path))
    assert {"on0", "on1", "on2"} <= set(ids(result)) and not {"off0", "off1"} & set(ids(result))
    assert result.stats["classifier"]["passed"] == result.kept


def test_classifier_examples_csv_labels_and_errors(tmp_path):
    csv = tmp_path / "ex.csv"
    csv.write_text("text,label\nWhere is my order?,true\nBoil an egg,off-domain\nReturn my plug,on-domain\n")
    result = run(dataset(), Config(classifier={"examples": "ex.csv"}), OpContext(base_dir=tmp_path))
    assert result.stats["classifier"]["passed"] == result.kept
    csv.write_text("text,label\nWhere is my order?,1\nBoil an egg,maybe\n")
    with pytest.raises(InputError, match=r"ex\.csv:row 2.*label 'maybe'"):
        run(dataset(), Config(classifier={"examples": "ex.csv"}), OpContext(base_dir=tmp_path))
    csv.write_text("text,label\nWhere is my order?,1\nReturn my plug,1\n")
    with pytest.raises(InputError, match="one label"):
        run(dataset(), Config(classifier={"examples": "ex.csv"}), OpContext(base_dir=tmp_path))
    (tmp_path / "bad.jsonl").write_text('{"text": "ok", "label": 1}\n{"label": 0}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:2.*text"):
        run(dataset(), Config(classifier={"examples": "bad.jsonl"}), OpContext(base_dir=tmp_path))


def test_combine_and_or_and_on_domain():
    keywords = {"terms": ["order", "return", "egg"]}
    embedding = {"description": DESCRIPTION, "threshold": 0.05}
    both = run(dataset(), Config(keywords=keywords, embedding=embedding), OpContext())
    assert ids(both) == ["on0", "on1"]
    expected = {"off-domain (keywords)": 1, "off-domain (keywords, embedding)": 3, "off-domain (embedding)": 1}
    assert both.removed == expected
    either = run(dataset(), Config(keywords=keywords, embedding=embedding, combine="or"), OpContext())
    assert ids(either) == ["on0", "on1", "on2", "off0"]
    records = dataset().to_list()
    assert on_domain(records, Config(keywords=keywords), OpContext()) == [True, True, False, False, True, False, False]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"combine": "and"},
        {"keywords": {"min_hits": 2}},
        {"keywords": {"terms": ["a"], "min_hits": 0}},
        {"embedding": {"threshold": 0.5}},
        {"perplexity": {"quantile": 0}},
        {"classifier": {"examples": "x.jsonl", "threshold": 1}},
        {"combine": "xor", "keywords": {"terms": ["a"]}},
    ],
)
def test_bad_options(options):
    with pytest.raises(ValidationError):
        Config(**options)


def test_missing_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="keywords.terms_file"):
        run(dataset(), Config(keywords={"terms_file": "nope.txt"}), OpContext(base_dir=tmp_path))
    with pytest.raises(InputError, match="not found"):
        run(dataset(), Config(classifier={"examples": "nope.jsonl"}), OpContext(base_dir=tmp_path))
